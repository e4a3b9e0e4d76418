#pragma once
// The daemon's one HTTP server (Boost.Beast), on metrics-listen: /metrics,
// the page at / and the read-only JSON API under /api/ (docs/web.md). It
// runs on its own thread and io_context, asynchronously, so slow or idle
// clients cost a socket each and never a thread, and never the daemon's
// event loop; what may block (a metrics snapshot, an API answer) runs on
// two worker threads of its own, and a scrape never waits on one for long.

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "common/rpc.hpp"
#include "daemon/metrics/metrics_snapshot.hpp"
#include "daemon/rpc/dispatch.hpp"
#include "daemon/web/web_limits.hpp"

namespace asncounter::web {

/// What the server asks of the daemon. Both calls may block (they wait on
/// the daemon's loop) and run on the server's workers, never on its thread.
struct WebBackend {
  /// The metrics at this moment; nullopt when the daemon could not say in
  /// time (the scrape then shows the last good snapshot, never zeros).
  std::function<std::optional<MetricsSnapshot>()> snapshot;
  /// A read method prepared as the control socket does (same dispatcher and
  /// handlers); nullopt when the loop did not answer in time. Unset: no
  /// /api/ and no page (metrics only).
  std::function<std::optional<rpc::Reply>(rpc::MethodId, const rpc::Params&)> prepare;
};

class WebServer {
 public:
  /// Binds `listen` ("127.0.0.1:9580", "[::1]:9580") and starts serving;
  /// the error names the address and the system's reason.
  static Result<std::unique_ptr<WebServer>> start(const std::string& listen, WebBackend backend,
                                                  const WebLimits& limits = {});
  ~WebServer();
  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;

  /// The port bound (useful with port 0).
  int port() const;
  /// Connections open now, and those refused (over a bound) since start.
  std::size_t connections() const;
  std::size_t refused() const;

  struct Impl;

 private:
  explicit WebServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace asncounter::web
