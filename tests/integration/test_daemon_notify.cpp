// The real daemon speaks sd_notify to a datagram socket of the test, as it
// would to systemd: READY once serving, WATCHDOG pings, RELOADING then READY
// around a SIGHUP, STOPPING on SIGTERM.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <csignal>
#include <cstdlib>
#include <string>

#include "tests/integration/daemon_fixture.hpp"

using asncounter::test::DaemonFixture;
using asncounter::test::TempDir;

namespace {

class NotifySocket {
 public:
  explicit NotifySocket(const std::string& path) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path.copy(addr.sun_path, sizeof addr.sun_path - 1);
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    timeval tv{10, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~NotifySocket() { close(fd_); }
  /// Messages until one starts with `prefix` (or the 10 s timeout); returns it.
  std::string wait_for(const std::string& prefix) {
    for (int i = 0; i < 200; ++i) {
      char buf[1024];
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return {};
      std::string msg(buf, static_cast<std::size_t>(n));
      if (msg.rfind(prefix, 0) == 0) return msg;
    }
    return {};
  }

 private:
  int fd_ = -1;
};

// Sets the variables systemd would set for a Type=notify unit with
// WatchdogSec=, for the daemons this test starts.
struct NotifyEnvironment {
  explicit NotifyEnvironment(const std::string& socket) {
    setenv("NOTIFY_SOCKET", socket.c_str(), 1);
    setenv("WATCHDOG_USEC", "400000", 1);
  }
  ~NotifyEnvironment() {
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
  }
};

}  // namespace

TEST_CASE("The daemon notifies READY, WATCHDOG, RELOADING and STOPPING", "[daemon][systemd]") {
  TempDir dir;
  NotifySocket sock((dir / "notify").string());
  NotifyEnvironment env((dir / "notify").string());
  DaemonFixture d;
  CHECK(sock.wait_for("READY=1") == "READY=1");
  CHECK(sock.wait_for("WATCHDOG=1") == "WATCHDOG=1");  // every 200 ms: half of WATCHDOG_USEC
  CHECK(sock.wait_for("WATCHDOG=1") == "WATCHDOG=1");
  kill(d.pid(), SIGHUP);
  CHECK(sock.wait_for("RELOADING=1").rfind("RELOADING=1\nMONOTONIC_USEC=", 0) == 0);
  CHECK(sock.wait_for("READY=1") == "READY=1");
  CHECK(d.stop(SIGTERM) == 0);
  CHECK(sock.wait_for("STOPPING=1") == "STOPPING=1");
}
