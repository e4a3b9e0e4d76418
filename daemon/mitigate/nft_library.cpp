#include "daemon/mitigate/nft_library.hpp"

#include <dlfcn.h>

#include <mutex>
#include <string>

namespace asncounter {

namespace {

constexpr const char* kSoname = "libnftables.so.1";

template <class F>
bool bind(void* handle, const char* name, F& out, std::string& missing) {
  void* sym = ::dlsym(handle, name);
  if (!sym) {
    missing = name;
    return false;
  }
  out = reinterpret_cast<F>(sym);
  return true;
}

Result<const NftLibrary*> open_nft() {
  // RTLD_NOW: a missing symbol shows here; never closed (contexts live on).
  void* handle = ::dlopen(kSoname, RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = ::dlerror();
    return Error{std::string("cannot load ") + kSoname +
                 " (mitigation needs the libnftables1 package): " + (why ? why : "unknown error")};
  }
  static NftLibrary lib{};
  std::string missing;
  if (!bind(handle, "nft_ctx_new", lib.ctx_new, missing) ||
      !bind(handle, "nft_ctx_free", lib.ctx_free, missing) ||
      !bind(handle, "nft_ctx_buffer_output", lib.ctx_buffer_output, missing) ||
      !bind(handle, "nft_ctx_buffer_error", lib.ctx_buffer_error, missing) ||
      !bind(handle, "nft_ctx_get_output_buffer", lib.ctx_get_output_buffer, missing) ||
      !bind(handle, "nft_ctx_get_error_buffer", lib.ctx_get_error_buffer, missing) ||
      !bind(handle, "nft_ctx_output_set_flags", lib.ctx_output_set_flags, missing) ||
      !bind(handle, "nft_run_cmd_from_buffer", lib.run_cmd_from_buffer, missing))
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
