#pragma once
// The handlers of every method of common/rpc.hpp, against the counter store,
// the table, the AS names and what the daemon reports about itself.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/table/as_names.hpp"
#include "daemon/input/input.hpp"
#include "daemon/rpc/dispatch.hpp"

namespace asncounter {
class CounterStore;
}  // namespace asncounter

namespace asncounter::rpc {

/// What the daemon says about itself in `stats`, beyond the store and table.
struct DaemonStatus {
  std::int64_t started_at{};  ///< Unix seconds
  std::int64_t uptime_seconds{};
  unsigned clients{};               ///< control clients connected now
  std::uint64_t refused_clients{};  ///< turned away at max_clients
  DispatchCounters requests;
  std::uint64_t reloads_ok{};
  std::uint64_t reloads_failed{};
  std::string last_reload_error;  ///< empty when the last reload worked
  std::uint64_t refreshes_ok{};
  std::uint64_t refreshes_failed{};
  std::string last_refresh;  ///< outcome of the last refresh, "never"
};

/// Everything the handlers read or call; every function is called on the io thread.
struct HandlerContext {
  CounterStore* store = nullptr;
  std::function<std::shared_ptr<const AsNames>()> names;                       ///< may return null
  std::function<std::vector<std::pair<std::string, InputCounters>>()> inputs;  ///< spec, counters
  std::function<DaemonStatus()> status;
  std::function<Reply()> refresh;  ///< queues a table refresh
  std::function<Reply()> reload;   ///< reload: parse, validate, swap
};

/// One handler per method of rpc::methods(); `context` must outlive them.
HandlerMap make_handlers(const HandlerContext& context);

}  // namespace asncounter::rpc
