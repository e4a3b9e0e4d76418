#pragma once
// The control socket's request counters, kept by the dispatcher and reported
// in `stats` and the metrics.

#include <cstdint>
#include <map>
#include <string>

namespace asncounter::rpc {

/// Request counters, for stats.
struct DispatchCounters {
  std::uint64_t requests{};                        ///< lines answered
  std::uint64_t errors{};                          ///< answered with an error (denials included)
  std::uint64_t denied{};                          ///< admin methods refused
  std::map<std::string, std::uint64_t> by_method;  ///< valid requests per method (metrics)
};

}  // namespace asncounter::rpc
