#pragma once
// Data and its mutex in one type: the data is reachable only through a held
// lock (PowerDNS's LockGuarded<T>), and every lock that had to wait is
// counted so contention shows up in stats.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <utility>

namespace asncounter {

template <class T>
class alignas(64) LockGuarded {  // own cache line: shards side by side must not false-share
 public:
  /// A held lock and access to the data; unlocks when destroyed.
  class Holder {
   public:
    Holder(std::mutex& mu, T& value, std::atomic<std::uint64_t>& contended)
        : lock_(mu, std::defer_lock), value_(value) {
      if (!lock_.try_lock()) {
        contended.fetch_add(1, std::memory_order_relaxed);
        lock_.lock();
      }
    }
    T& operator*() { return value_; }
    T* operator->() { return &value_; }

   private:
    std::unique_lock<std::mutex> lock_;
    T& value_;
  };

  template <class... Args>
  explicit LockGuarded(Args&&... args) : value_(std::forward<Args>(args)...) {}
  LockGuarded(const LockGuarded&) = delete;
  LockGuarded& operator=(const LockGuarded&) = delete;

  /// Takes the lock (try_lock first, counting a wait as contention).
  Holder lock() { return Holder(mu_, value_, contended_); }
  /// Locks that found the mutex held and had to wait.
  std::uint64_t contended() const { return contended_.load(std::memory_order_relaxed); }

 private:
  std::mutex mu_;
  std::atomic<std::uint64_t> contended_{0};
  T value_;
};

}  // namespace asncounter
