#pragma once
// Closes the store's history steps every history-step on a thread of its
// own: a close walks every prefix id (a few ms for a full table), so it stays
// off the io thread, where it would delay RPC answers and input events.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace asncounter {

class CounterStore;

class HistoryClock {
 public:
  /// Called on the clock's thread after each close (the mitigation's rules).
  using AfterClose = std::function<void(std::chrono::steady_clock::time_point)>;
  /// Starts closing steps of `store` every `step`, aligned on the store's start.
  HistoryClock(CounterStore& store, std::chrono::seconds step, AfterClose after_close = {});
  /// Stops the thread (a close in progress finishes first).
  ~HistoryClock();
  HistoryClock(const HistoryClock&) = delete;
  HistoryClock& operator=(const HistoryClock&) = delete;

 private:
  void run(std::chrono::steady_clock::time_point first);

  CounterStore& store_;
  std::chrono::seconds step_;
  AfterClose after_close_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace asncounter
