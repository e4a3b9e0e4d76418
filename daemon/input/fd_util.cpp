#include "daemon/input/fd_util.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace asncounter {

Waker::Waker() : fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

void Waker::wake() {
  stopped_.store(true, std::memory_order_release);
  std::uint64_t one = 1;
  // A full counter (EAGAIN) is already a pending wakeup: nothing to do.
  [[maybe_unused]] auto n = ::write(fd_.get(), &one, sizeof one);
}

WaitResult wait_readable(int fd, const Waker& waker, int timeout_ms) {
  if (waker.stopped()) return WaitResult::stopped;
  pollfd fds[2] = {{waker.fd(), POLLIN, 0}, {fd, POLLIN, 0}};
  for (;;) {
    int n = ::poll(fds, fd >= 0 ? 2 : 1, timeout_ms);
    if (n < 0 && errno == EINTR) continue;
    if (waker.stopped()) return WaitResult::stopped;
    if (n == 0) return WaitResult::timeout;
    // Errors on fd (POLLERR, POLLNVAL) are left for read() to report.
    return n > 0 ? WaitResult::ready : WaitResult::timeout;
  }
}

}  // namespace asncounter
