#pragma once
// /metrics alone on the daemon's HTTP server, for tests and tools that want
// the scrape without the page and the API (the daemon serves all three).

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "daemon/metrics/metrics_snapshot.hpp"

namespace asncounter {

namespace web {
class WebServer;
}  // namespace web

/// Serves /metrics alone on one address ("127.0.0.1:9580", "[::1]:9580"),
/// on the daemon's HTTP server (daemon/web/web_server.hpp).
class MetricsExporter {
 public:
  /// Takes a snapshot at scrape time; nullopt when it could not in time (a
  /// busy loop): the scrape then shows the last good snapshot, never zeros
  /// that Prometheus would read as counter resets.
  using Snapshotter = std::function<std::optional<MetricsSnapshot>()>;
  /// Binds the listener; the error names the address and, when binding
  /// failed, the system's reason.
  static Result<std::unique_ptr<MetricsExporter>> start(const std::string& listen, Snapshotter snapshot);
  ~MetricsExporter();
  MetricsExporter(const MetricsExporter&) = delete;
  MetricsExporter& operator=(const MetricsExporter&) = delete;
  /// The port bound (useful with port 0).
  int port() const;

 private:
  explicit MetricsExporter(std::unique_ptr<web::WebServer> server);
  std::unique_ptr<web::WebServer> server_;
};

}  // namespace asncounter
