#include "daemon/mitigate/nft_library.hpp"

#include <mutex>
#include <string>

#include "daemon/sys/shared_library.hpp"

namespace asncounter {

namespace {

constexpr const char* kSoname = "libnftables.so.1";

Result<const NftLibrary*> open_nft() {
  auto so = SharedLibrary::open(kSoname, "mitigation needs the libnftables1 package");
  if (!so) return Error{so.error()};
  static NftLibrary lib{};
  std::string missing;
  if (!so->bind("nft_ctx_new", lib.ctx_new, missing) || !so->bind("nft_ctx_free", lib.ctx_free, missing) ||
      !so->bind("nft_ctx_buffer_output", lib.ctx_buffer_output, missing) ||
      !so->bind("nft_ctx_buffer_error", lib.ctx_buffer_error, missing) ||
      !so->bind("nft_ctx_get_output_buffer", lib.ctx_get_output_buffer, missing) ||
      !so->bind("nft_ctx_get_error_buffer", lib.ctx_get_error_buffer, missing) ||
      !so->bind("nft_ctx_output_set_flags", lib.ctx_output_set_flags, missing) ||
      !so->bind("nft_run_cmd_from_buffer", lib.run_cmd_from_buffer, missing))
    return Error{std::string(kSoname) + " has no " + missing};
  return &lib;
}

}  // namespace

Result<const NftLibrary*> nft_library() {
  static std::once_flag once;
  static Result<const NftLibrary*> loaded = Error{"not loaded"};
  std::call_once(once, [] { loaded = open_nft(); });
  return loaded;
}

}  // namespace asncounter
