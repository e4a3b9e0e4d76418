#include "daemon/store/history_clock.hpp"

#include "daemon/store/counter_store.hpp"

namespace asncounter {

HistoryClock::HistoryClock(CounterStore& store, std::chrono::seconds step, AfterClose after_close)
    : store_(store), step_(step), after_close_(std::move(after_close)) {
  auto first = std::chrono::steady_clock::now() + step_;
  thread_ = std::thread([this, first] { run(first); });
}

HistoryClock::~HistoryClock() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

// Deadlines advance by whole steps from the first one, so a late wake-up
// (a loaded host) shortens the next wait instead of drifting; the store
// takes the close time as it is, so a step is only ever as long as it was.
void HistoryClock::run(std::chrono::steady_clock::time_point next) {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_until(lock, next, [this] { return stop_; })) {
    lock.unlock();
    auto now = std::chrono::steady_clock::now();
    store_.close_step(now);
    if (after_close_) after_close_(now);
    while (next <= now) next += step_;
    lock.lock();
  }
}

}  // namespace asncounter
