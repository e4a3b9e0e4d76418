// The real daemon speaks sd_notify to a datagram socket of the test, as it
// would to systemd: READY once serving, WATCHDOG pings, RELOADING then READY
// around a SIGHUP, STOPPING on SIGTERM.
#include <catch2/catch.hpp>

#include <csignal>
#include <cstdlib>
#include <string>

#include "tests/integration/daemon_fixture.hpp"
#include "tests/support/notify_socket.hpp"

using asncounter::test::DaemonFixture;
using asncounter::test::NotifySocket;
using asncounter::test::TempDir;

namespace {

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
  NotifySocket sock((dir / "notify").string(), std::chrono::seconds(10));
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
