#pragma once
// The one Prometheus collectable: it snapshots the daemon at scrape time
// (top K ASNs only, so cardinality stays bounded) instead of keeping one
// registered counter per ASN. Metric names are documented in docs/metrics.md.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "daemon/metrics/metrics_snapshot.hpp"

namespace prometheus {
class Exposer;
struct MetricFamily;
}  // namespace prometheus

namespace asncounter {

/// Turns a snapshot into metric families (exposed for tests).
std::vector<prometheus::MetricFamily> to_metric_families(const MetricsSnapshot& s);

/// Serves /metrics on an address ("127.0.0.1:9580", "[::1]:9580").
class MetricsExporter {
 public:
  using Snapshotter = std::function<MetricsSnapshot()>;
  /// Binds the listener; the error names the address.
  static Result<std::unique_ptr<MetricsExporter>> start(const std::string& listen, Snapshotter snapshot);
  ~MetricsExporter();
  MetricsExporter(const MetricsExporter&) = delete;
  MetricsExporter& operator=(const MetricsExporter&) = delete;
  /// The port bound (useful with port 0).
  int port() const;

  struct Collector;

 private:
  MetricsExporter() = default;
  std::shared_ptr<Collector> collector_;
  std::unique_ptr<prometheus::Exposer> exposer_;
};

}  // namespace asncounter
