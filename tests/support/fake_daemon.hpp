#pragma once
// A daemon for the RPC handlers without a daemon: a real counter store, no
// names or inputs, and refresh/reload that count their calls and answer what
// the test sets.

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "common/result.hpp"
#include "daemon/rpc/daemon_control.hpp"
#include "daemon/store/counter_store.hpp"

namespace asncounter::test {

class FakeDaemon final : public rpc::DaemonControl {
 public:
  explicit FakeDaemon(std::shared_ptr<const LpmTable> table = LpmTable::empty(), unsigned shards = 1)
      : store_(std::move(table), shards) {}

  CounterStore& store() override { return store_; }
  std::shared_ptr<const AsNames> names() const override { return names_; }
  std::vector<std::pair<std::string, InputCounters>> input_counters() const override { return inputs_; }
  DaemonStatus status() const override {
    ++status_calls;
    if (!status_error.empty()) throw std::runtime_error(status_error);
    return status_;
  }
  Result<void> refresh() override {
    ++refreshes;
    return refresh_error.empty() ? Result<void>() : Result<void>(Error{refresh_error});
  }
  Result<std::shared_ptr<rpc::ReloadJob>> begin_reload() override {
    return std::shared_ptr<rpc::ReloadJob>(std::make_shared<Reload>(*this));
  }

  int refreshes = 0;                       ///< refresh() calls
  int reloads = 0;                         ///< reloads committed
  mutable int status_calls = 0;            ///< status() calls
  std::string refresh_error;               ///< refresh() fails with it when set
  std::string reload_error;                ///< a reload fails with it when set
  std::vector<std::string> needs_restart;  ///< what a good reload answers
  std::string status_error;                ///< status() throws it when set

 private:
  // Nothing to read: the commit answers what the test set.
  struct Reload final : rpc::ReloadJob {
    explicit Reload(FakeDaemon& d) : daemon(d) {}
    void stage() override {}
    Result<std::vector<std::string>> commit() override {
      ++daemon.reloads;
      if (!daemon.reload_error.empty()) return Error{daemon.reload_error};
      return daemon.needs_restart;
    }
    FakeDaemon& daemon;
  };

  CounterStore store_;
  std::shared_ptr<const AsNames> names_;
  std::vector<std::pair<std::string, InputCounters>> inputs_;
  DaemonStatus status_;
};

}  // namespace asncounter::test
