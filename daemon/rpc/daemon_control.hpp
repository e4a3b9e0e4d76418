#pragma once
// The daemon as the RPC handlers see it: one narrow interface, implemented by
// the daemon and faked in tests, so that the handlers need nothing else and
// the daemon core needs nothing of the RPC layer.

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.hpp"
#include "common/table/as_names.hpp"
#include "daemon/input/input.hpp"
#include "daemon/rpc/daemon_status.hpp"

namespace asncounter {
class CounterStore;
}  // namespace asncounter
namespace asncounter::mitigate {
class Mitigation;
}  // namespace asncounter::mitigate

namespace asncounter::rpc {

/// A reload in two steps, so that neither holds the event loop long: the
/// configuration, the AS names and a new db are read and checked off the
/// loop, then swapped in on it. Dropped before commit(), it changes nothing
/// but a new db it already installed.
class ReloadJob {
 public:
  virtual ~ReloadJob() = default;
  /// Reads and checks what the reload would install (the RPC worker; once).
  virtual void stage() = 0;
  /// Swaps it in (the io thread): the keys that changed but need a restart
  /// (they keep their old value), or why the old configuration stays.
  virtual Result<std::vector<std::string>> commit() = 0;

 protected:
  ReloadJob() = default;
  ReloadJob(const ReloadJob&) = default;
  ReloadJob& operator=(const ReloadJob&) = default;
};

/// Everything the handlers read or call, on the io thread but for the
/// heavy reads (store(), names()) and a reload's stage().
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
  /// Begins a reload (one at a time); the error says why none can begin now.
  virtual Result<std::shared_ptr<ReloadJob>> begin_reload() = 0;
  /// The mitigation (docs/mitigation.md); null when the daemon runs none.
  virtual mitigate::Mitigation* mitigation() { return nullptr; }
  /// One input's counts, by its name (NAME=SPEC, else its spec): the whole
  /// store when it is the only input; an error naming the inputs when none
  /// has that name, or when that input's counts are not kept apart.
  virtual Result<CounterStore*> input_store(std::string_view name) {
    return Error{"no input is named '" + std::string(name) + "'"};
  }
  /// What each input counts ("requests", "packets", "flow packets"), by name,
  /// when they differ: summed, their counts mix units. Empty: one unit.
  virtual std::vector<std::pair<std::string, std::string>> mixed_units() const { return {}; }
  /// Zeroes the per-input counts as store().reset() (or
  /// reset_keeping_history()) zeroes the store's.
  virtual void reset_inputs(bool keep_history) { (void)keep_history; }

 protected:
  DaemonControl() = default;
  DaemonControl(const DaemonControl&) = default;
  DaemonControl& operator=(const DaemonControl&) = default;
};

}  // namespace asncounter::rpc
