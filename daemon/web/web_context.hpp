#pragma once
// What every session of the HTTP server shares (internal to daemon/web/):
// its io_context (one thread), the workers that run blocking calls, the
// bounds, the client table and the metrics cache.

#include "daemon/sys/asio.hpp"
#include "daemon/web/client_table.hpp"
#include "daemon/web/metrics_cache.hpp"
#include "daemon/web/web_limits.hpp"
#include "daemon/web/web_server.hpp"

namespace asncounter::web {

struct WebContext {
  WebContext(WebBackend b, const WebLimits& l)
      : limits(l), backend(std::move(b)), clients(l), metrics(io, snapshots, backend.snapshot, l) {}
  // Declared first, so destroyed last: sessions dropped with the io_context
  // give their slot back to it.
  WebLimits limits;
  WebBackend backend;
  ClientTable clients;
  asio::io_context io;
  // Snapshots and API answers wait on the daemon's loop, each on its own
  // threads: API answers being made never delay a scrape's snapshot.
  asio::thread_pool snapshots{1};
  asio::thread_pool workers{2};
  MetricsCache metrics;
};

}  // namespace asncounter::web
