#pragma once
// libnftables, opened when the mitigation first needs the firewall (enforce
// mode) instead of at every start of the binary: like libcurl
// (daemon/refresh/curl_library.hpp) it brings libraries (libnftnl, libmnl,
// jansson, gmp, xtables) that the one-shot and a daemon without enforced
// mitigation never use. The package depends on libnftables1 by name.

#include <nftables/libnftables.h>

#include "common/result.hpp"

namespace asncounter {

/// The functions nft_backend.cpp calls, as loaded.
struct NftLibrary {
  nft_ctx* (*ctx_new)(uint32_t flags);
  void (*ctx_free)(nft_ctx* ctx);
  int (*ctx_buffer_output)(nft_ctx* ctx);
  int (*ctx_buffer_error)(nft_ctx* ctx);
  const char* (*ctx_get_output_buffer)(nft_ctx* ctx);
  const char* (*ctx_get_error_buffer)(nft_ctx* ctx);
  void (*ctx_output_set_flags)(nft_ctx* ctx, unsigned int flags);
  int (*run_cmd_from_buffer)(nft_ctx* nft, const char* buf);
};

/// libnftables, opened once (thread-safe); an error naming the library or
/// the symbol that could not be loaded.
Result<const NftLibrary*> nft_library();

}  // namespace asncounter
