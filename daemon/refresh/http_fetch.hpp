#pragma once
// Downloads over HTTP(S) with libcurl, always with time and size caps: the
// daemon must never hang on, or fill its disk from, a misbehaving server.

#include <atomic>
#include <cstdint>
#include <string>

#include "common/result.hpp"

namespace asncounter {

/// Caps of one transfer.
struct FetchLimits {
  long connect_timeout_s = 15;           ///< TCP + TLS handshake
  long total_timeout_s = 900;            ///< the whole transfer
  long stall_timeout_s = 60;             ///< abort when under 1 KiB/s for this long
  std::uint64_t max_bytes = 1ULL << 30;  ///< body size cap
  long max_redirects = 5;
  const std::atomic<bool>* cancel = nullptr;  ///< set to abort a transfer (shutdown)
};

/// Fetches `url` into the file `path`, created afresh (whatever was there,
/// a symbolic link included, is removed, never written through). An HTTP status
/// other than 2xx, a cap hit or a transport error is an error naming the URL.
/// Returns the body size.
Result<std::uint64_t> fetch_to_file(const std::string& url, const std::string& path,
                                    const FetchLimits& limits);

/// Fetches `url` into memory (directory listings, small files).
Result<std::string> fetch_to_string(const std::string& url, const FetchLimits& limits);

}  // namespace asncounter
