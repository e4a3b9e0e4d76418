#include "tests/support/notify_socket.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <stdexcept>

namespace asncounter::test {

NotifySocket::NotifySocket(const std::string& path, std::chrono::seconds timeout) {
  fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  path.copy(addr.sun_path, sizeof addr.sun_path - 1);
  if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (fd_ >= 0) close(fd_);
    throw std::runtime_error("cannot bind the notify socket " + path);
  }
  timeval tv{static_cast<time_t>(timeout.count()), 0};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

NotifySocket::~NotifySocket() { close(fd_); }

std::string NotifySocket::receive() {
  char buf[1024];
  ssize_t n = recv(fd_, buf, sizeof buf, 0);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

std::string NotifySocket::wait_for(const std::string& prefix) {
  for (int i = 0; i < 200; ++i) {
    std::string msg = receive();
    if (msg.empty() || msg.rfind(prefix, 0) == 0) return msg;
  }
  return {};
}

}  // namespace asncounter::test
