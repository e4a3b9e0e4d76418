#pragma once
// File descriptors for the line inputs: a wakeup that interrupts a blocked
// reader (stop() must return promptly), and a poll() that waits for it or
// the input. The owning handle, UniqueFd, is in common/unique_fd.hpp.

#include <atomic>

#include "common/unique_fd.hpp"

namespace asncounter {

/// A stop request another thread can make; readers poll its descriptor.
class Waker {
 public:
  /// Opens the eventfd; check ok() (descriptors can run out).
  Waker();
  bool ok() const { return static_cast<bool>(fd_); }
  /// Asks the reader to stop and wakes it if it is waiting.
  void wake();
  /// True once wake() was called.
  bool stopped() const { return stopped_.load(std::memory_order_acquire); }
  int fd() const { return fd_.get(); }

 private:
  UniqueFd fd_;
  std::atomic<bool> stopped_{false};
};

enum class WaitResult { ready, timeout, stopped };

/// Waits until `fd` is readable (or hung up), the waker fires, or
/// `timeout_ms` passes (-1: no limit). `fd` < 0 waits on the waker alone.
WaitResult wait_readable(int fd, const Waker& waker, int timeout_ms);

}  // namespace asncounter
