#include "daemon/once/once_watch.hpp"

#include <pthread.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>

namespace asncounter {
namespace {

sigset_t watched_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGUSR1}) sigaddset(&set, s);
  return set;
}

/// Milliseconds until `deadline` for poll(), rounded up so that it never spins.
int ms_until(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(left.count(), 0, 60'000));
}

}  // namespace

OnceWatch::OnceWatch() {
  sigset_t set = watched_signals();
  restore_ = pthread_sigmask(SIG_BLOCK, &set, &old_mask_) == 0;
  signals_.reset(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
}

OnceWatch::~OnceWatch() {
  if (signals_) {
    signalfd_siginfo info{};
    while (::read(signals_.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
    }
  }
  if (restore_) pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
}

OnceEnd OnceWatch::wait(std::chrono::seconds duration, const std::function<void()>& interim) {
  const bool timed = duration.count() > 0;
  const auto deadline = std::chrono::steady_clock::now() + duration;
  for (;;) {
    const int timeout = timed ? ms_until(deadline) : -1;
    if (timed && timeout == 0) return OnceEnd::duration;
    const WaitResult w = wait_readable(signals_.get(), waker_, timeout);
    if (w == WaitResult::stopped) return OnceEnd::finished;
    if (w == WaitResult::timeout) continue;
    // Every signal queued so far: a stop among them wins over the interim
    // reports, which are then not worth printing.
    bool stop = false;
    bool report = false;
    signalfd_siginfo info{};
    while (::read(signals_.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
      const auto signo = static_cast<int>(info.ssi_signo);
      stop = stop || signo == SIGINT || signo == SIGTERM;
      report = report || signo == SIGHUP || signo == SIGUSR1;
    }
    if (stop) return OnceEnd::signal;
    if (report) interim();
  }
}

}  // namespace asncounter
