#pragma once
// The one Prometheus collectable: it snapshots the daemon at scrape time
// (top K ASNs only, so cardinality stays bounded) instead of keeping one
// registered counter per ASN. Metric names are documented in docs/metrics.md.

#include <vector>

#include "daemon/metrics/metrics_snapshot.hpp"

namespace prometheus {
struct MetricFamily;
}  // namespace prometheus

namespace asncounter {

/// Turns a snapshot into metric families (exposed for tests).
std::vector<prometheus::MetricFamily> to_metric_families(const MetricsSnapshot& s);

}  // namespace asncounter
