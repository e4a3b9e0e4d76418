#pragma once
// Everything the Prometheus exporter shows, gathered at scrape time by the
// daemon (the collectable knows nothing of the daemon's parts).

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/counts.hpp"
#include "daemon/input/input.hpp"

namespace asncounter {

struct MetricsSnapshot {
  /// The K ASNs most active over metrics-window, counts since start; total: all since start.
  AsnTable top_asns;
  Counts other_asns;                                          ///< total minus top_asns: the `other` series
  std::vector<std::string> top_asn_names;                     ///< one per row of top_asns ("" when unknown)
  std::vector<std::pair<std::string, InputCounters>> inputs;  ///< spec -> counters
  std::uint64_t table_v4_prefixes{};
  std::uint64_t table_v6_prefixes{};
  std::int64_t table_dump_time{};  ///< Unix seconds, 0: no table
  std::uint64_t refresh_successes{};
  std::uint64_t refresh_failures{};
  std::int64_t refresh_last_success{};                ///< Unix seconds, 0: never
  std::map<std::string, std::uint64_t> rpc_requests;  ///< method -> requests
  std::int64_t start_time{};                          ///< Unix seconds
  std::int64_t now{};                                 ///< Unix seconds of this snapshot
  /// Mitigation (docs/mitigation.md): decisions made per rule (refusals included), bans in force,
  /// prefixes they block and what the kernel dropped; absent when no mitigation runs.
  bool mitigating{};
  std::map<std::string, std::uint64_t> mitigation_decisions;
  std::uint64_t mitigation_active_bans{};
  std::uint64_t mitigation_prefixes_blocked{};
  std::uint64_t mitigation_packets_dropped{};
  std::uint64_t mitigation_bytes_dropped{};
};

}  // namespace asncounter
