#pragma once
// How one-shot mode ends, besides its inputs' end, and what it answers
// meanwhile (DESIGN.md "The one-shot report"): SIGINT and SIGTERM end the
// reading, SIGHUP and SIGUSR1 ask for an interim report, --duration ends it
// after a time, and --count (an input's thread) ends it from elsewhere.
// The signals are blocked and read from a signalfd, so they are ordinary
// events of the main thread: no work happens in a signal handler.

#include <signal.h>

#include <chrono>
#include <functional>

#include "common/unique_fd.hpp"
#include "daemon/input/fd_util.hpp"

namespace asncounter {

/// What ended OnceWatch::wait().
enum class OnceEnd {
  finished,  ///< finish() was called: the inputs ended, or --count was reached
  signal,    ///< SIGINT or SIGTERM
  duration,  ///< --duration passed
};

class OnceWatch {
 public:
  /// Blocks SIGINT, SIGTERM, SIGHUP and SIGUSR1 in the calling thread, so
  /// the threads it starts afterwards (the inputs) inherit the mask and the
  /// signals wait for wait(). Make it before any input starts.
  OnceWatch();
  /// Drops the signals still pending (a second Ctrl-C while the report
  /// prints) and restores the mask.
  ~OnceWatch();
  OnceWatch(const OnceWatch&) = delete;
  OnceWatch& operator=(const OnceWatch&) = delete;

  /// False when the signalfd or eventfd could not be made.
  bool ok() const { return static_cast<bool>(signals_) && waker_.ok(); }
  /// Ends wait(); callable from any thread, more than once.
  void finish() { waker_.wake(); }
  /// Waits for finish(), SIGINT or SIGTERM, or `duration` (zero: no limit);
  /// each SIGHUP or SIGUSR1 calls `interim` on this thread and the wait goes on.
  OnceEnd wait(std::chrono::seconds duration, const std::function<void()>& interim);

 private:
  UniqueFd signals_;
  Waker waker_;
  bool restore_ = false;
  sigset_t old_mask_{};
};

}  // namespace asncounter
