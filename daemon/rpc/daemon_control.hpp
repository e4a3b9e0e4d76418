#pragma once
// The daemon as the RPC handlers see it: one narrow interface, implemented by
// the daemon and faked in tests, so that the handlers need nothing else and
// the daemon core needs nothing of the RPC layer.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/result.hpp"
#include "common/table/as_names.hpp"
#include "daemon/daemon_status.hpp"
#include "daemon/input/input.hpp"

namespace asncounter {
class CounterStore;
}  // namespace asncounter

namespace asncounter::rpc {

/// Everything the handlers read or call; every member is called on the io thread.
class DaemonControl {
 public:
  virtual ~DaemonControl() = default;
  /// The counts and the table in force.
  virtual CounterStore& store() = 0;
  /// The AS names; null when none are loaded.
  virtual std::shared_ptr<const AsNames> names() const = 0;
  /// Each input's spec and counters.
  virtual std::vector<std::pair<std::string, InputCounters>> input_counters() const = 0;
  /// The daemon's own counters.
  virtual DaemonStatus status() const = 0;
  /// Queues a table refresh; the error says why none could be queued.
  virtual Result<void> refresh() = 0;
  /// Re-reads the configuration (parse, validate, swap); returns the keys
  /// that changed but need a restart (they keep their old value); the error
  /// says why the old configuration stays.
  virtual Result<std::vector<std::string>> reload() = 0;

 protected:
  DaemonControl() = default;
  DaemonControl(const DaemonControl&) = default;
  DaemonControl& operator=(const DaemonControl&) = default;
};

}  // namespace asncounter::rpc
