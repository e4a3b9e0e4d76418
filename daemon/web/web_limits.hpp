#pragma once
// The bounds of the daemon's HTTP server (docs/web.md): what one client, or
// many, may hold of it. Slow and idle clients cost a socket and a few KiB
// each, never a thread: the server is asynchronous on its own thread.

#include <chrono>
#include <cstddef>

namespace asncounter::web {

struct WebLimits {
  std::size_t max_clients = 256;             ///< connections at once, all addresses
  std::size_t max_clients_per_address = 16;  ///< connections at once from one address
  /// Time to send a whole request, from the connection (or the last answer)
  /// on: a client dripping its header a byte at a time is cut off here.
  std::chrono::milliseconds request_timeout{5000};
  std::chrono::milliseconds write_timeout{10000};   ///< time to take a whole answer
  std::size_t max_header_bytes = 8 * 1024;          ///< request line and header fields
  std::size_t max_body_bytes = 0;                   ///< GET and HEAD only: no body
  double requests_per_second = 20;                  ///< per address, on average
  double request_burst = 60;                        ///< per address, at once
  std::size_t max_answer_bytes = 16 * 1024 * 1024;  ///< an /api/ answer beyond is refused (413)
  std::size_t max_api_rows = 10000;                 ///< rows per table in an /api/ answer
  /// How long a scrape waits for a fresh snapshot before it is served the
  /// last one (the daemon's loop may be busy).
  std::chrono::milliseconds fresh_snapshot_wait{500};
};

}  // namespace asncounter::web
