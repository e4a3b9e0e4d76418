#include "daemon/web/metrics_exporter.hpp"

#include "daemon/web/web_server.hpp"

namespace asncounter {

// The daemon's HTTP server with /metrics only (the daemon adds the page
// and the API): scrapes are answered as the daemon's are.
Result<std::unique_ptr<MetricsExporter>> MetricsExporter::start(const std::string& listen,
                                                                Snapshotter snapshot) {
  web::WebBackend backend;
  backend.snapshot = std::move(snapshot);
  auto server = web::WebServer::start(listen, std::move(backend));
  if (!server) return Error{server.error()};
  return std::unique_ptr<MetricsExporter>(new MetricsExporter(std::move(*server)));
}

MetricsExporter::MetricsExporter(std::unique_ptr<web::WebServer> server) : server_(std::move(server)) {}
MetricsExporter::~MetricsExporter() = default;

int MetricsExporter::port() const { return server_->port(); }

}  // namespace asncounter
