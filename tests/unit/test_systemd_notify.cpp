#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "daemon/sys/systemd_notify.hpp"
#include "tests/support/notify_socket.hpp"
#include "tests/support/test_support.hpp"

namespace {}  // namespace

TEST_CASE("sd_notify messages reach the NOTIFY_SOCKET", "[systemd]") {
  asncounter::test::TempDir dir;
  asncounter::test::NotifySocket sock((dir / "notify").string(), std::chrono::seconds(2));
  setenv("NOTIFY_SOCKET", (dir / "notify").c_str(), 1);
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
  unsetenv("NOTIFY_SOCKET");
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
