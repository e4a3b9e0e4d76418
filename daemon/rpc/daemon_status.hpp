#pragma once
// What the daemon reports about itself (uptime, clients, reloads, refreshes),
// beyond the counter store and the table: `stats` and the metrics read it.

#include <cstdint>
#include <string>

#include "daemon/rpc/dispatch_counters.hpp"

namespace asncounter {

/// The daemon's own counters, as of one moment on the io thread.
struct DaemonStatus {
  std::int64_t started_at{};  ///< Unix seconds
  std::int64_t uptime_seconds{};
  unsigned clients{};               ///< control clients connected now
  std::uint64_t refused_clients{};  ///< turned away at max_clients
  rpc::DispatchCounters requests;
  std::uint64_t reloads_ok{};
  std::uint64_t reloads_failed{};
  std::string last_reload_error;  ///< empty when the last reload worked
  std::uint64_t refreshes_ok{};
  std::uint64_t refreshes_failed{};
  std::string last_refresh;  ///< outcome of the last refresh, "never"
};

}  // namespace asncounter
