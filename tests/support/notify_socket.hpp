#pragma once
// A datagram socket standing where systemd's notify socket would, for the
// sd_notify tests. It does not set NOTIFY_SOCKET: each test decides whose
// environment gets it.

#include <chrono>
#include <string>

namespace asncounter::test {

class NotifySocket {
 public:
  /// Binds `path`; a receive waits at most `timeout`.
  NotifySocket(const std::string& path, std::chrono::seconds timeout);
  ~NotifySocket();
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  /// The next message, or "" once the timeout passes.
  std::string receive();
  /// Messages until one starts with `prefix`; returns it, or "" on a timeout.
  std::string wait_for(const std::string& prefix);

 private:
  int fd_ = -1;
};

}  // namespace asncounter::test
