#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "daemon/systemd_notify.hpp"
#include "tests/support/test_support.hpp"

namespace {

// A datagram socket standing where systemd's notify socket would.
class NotifySocket {
 public:
  explicit NotifySocket(const std::string& path) : path_(path) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path.copy(addr.sun_path, sizeof addr.sun_path - 1);
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    timeval tv{2, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setenv("NOTIFY_SOCKET", path.c_str(), 1);
  }
  ~NotifySocket() {
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
    close(fd_);
  }
  std::string receive() {
    char buf[1024];
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
  }

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace

TEST_CASE("sd_notify messages reach the NOTIFY_SOCKET", "[systemd]") {
  asncounter::test::TempDir dir;
  NotifySocket sock((dir / "notify").string());
  namespace sd = asncounter::systemd;
  sd::ready();
  CHECK(sock.receive() == "READY=1");
  sd::status("counting 3 inputs");
  CHECK(sock.receive() == "STATUS=counting 3 inputs");
  sd::reloading();
  CHECK(sock.receive().rfind("RELOADING=1\nMONOTONIC_USEC=", 0) == 0);
  sd::watchdog();
  CHECK(sock.receive() == "WATCHDOG=1");
  sd::stopping();
  CHECK(sock.receive() == "STOPPING=1");
}

TEST_CASE("The watchdog period is half of WATCHDOG_USEC, for this process only", "[systemd]") {
  namespace sd = asncounter::systemd;
  unsetenv("WATCHDOG_USEC");
  CHECK_FALSE(sd::watchdog_period());
  setenv("WATCHDOG_USEC", "4000000", 1);
  setenv("WATCHDOG_PID", std::to_string(getpid()).c_str(), 1);
  auto period = sd::watchdog_period();
  REQUIRE(period);
  CHECK(period->count() == 2000000);
  setenv("WATCHDOG_PID", "1", 1);  // meant for another process
  CHECK_FALSE(sd::watchdog_period());
  unsetenv("WATCHDOG_USEC");
  unsetenv("WATCHDOG_PID");
}
