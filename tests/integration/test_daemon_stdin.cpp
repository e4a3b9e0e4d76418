// The daemon with no --input (issue 14, item 3): lines piped into its stdin
// are counted with --input-format, as `tcpdump -n -q | asncounterd
// --input-format tcpdump --db DB` expects; a terminal or /dev/null on stdin is
// not read, and the log says how to give an input.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/integration/daemon_fixture.hpp"
#include "tests/support/pty.hpp"

using asncounter::test::DaemonFixture;

namespace {

/// The fixture's daemon without --input or AS names, its stdin `stdin_fd`
/// (-1: closed), its table 192.0.2.0/24 64496 and 2001:db8::/32 64499.
DaemonFixture::Setup stdin_setup(int stdin_fd, std::vector<std::string> extra) {
  DaemonFixture::Setup setup;
  setup.extra_args = std::move(extra);
  setup.routes = {{"192.0.2.0/24", 64496}, {"2001:db8::/32", 64499}};
  setup.asnames = false;
  setup.stdin_fd = stdin_fd;
  return setup;
}

}  // namespace

TEST_CASE("daemon stdin: with no --input, tcpdump lines piped in are counted", "[daemon][stdin]") {
  int fds[2];
  // Close-on-exec: the daemon must hold no write end, or its stdin never ends.
  REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
  DaemonFixture daemon(stdin_setup(fds[0], {"--input-format", "tcpdump"}));
  close(fds[0]);
  const std::string lines =
      "20:04:29.827392 IP 192.0.2.1.49866 > 198.51.100.1.443: tcp 0\n"
      "20:04:29.827393 IP 192.0.2.7.49867 > 198.51.100.1.443: tcp 0\n"
      "20:04:29.827394 IP 192.0.2.9.49868 > 198.51.100.1.443: tcp 52\n"
      "20:04:37.458420 IP6 2001:db8::5.45723 > 2001:db8::1.53: UDP, length 5\n";
  REQUIRE(write(fds[1], lines.data(), lines.size()) == static_cast<ssize_t>(lines.size()));
  close(fds[1]);
  // The pipe has ended; the daemon goes on serving what it counted.
  std::string top;
  for (int i = 0; i < 500; ++i) {
    top = daemon.ctl("top").out;
    if (top.find("total: 4") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  INFO(daemon.log());
  CHECK_THAT(top,
             Catch::StartsWith("count\tpercent\tASN\tAS\n3\t75.00\t64496\tNone\n1\t25.00\t64499\tNone\n"));
  CHECK_THAT(top, Catch::Contains("total: 4"));
  std::string stats;
  // --json: the raw fields, whatever the people's view prints.
  for (int i = 0; i < 500 && stats.find(R"("state":"finished")") == std::string::npos; ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    stats = daemon.ctl("--json stats").out;
  }
  CHECK_THAT(stats, Catch::Contains(R"("spec":"-")"));
  CHECK_THAT(stats, Catch::Contains(R"("state":"finished")"));
  CHECK_THAT(daemon.log(), Catch::Contains("no input configured: reading stdin as tcpdump lines"));
  CHECK(daemon.stop(SIGTERM) == 0);
}

TEST_CASE("daemon stdin: a terminal or /dev/null is not read, and the log says how to give an input",
          "[daemon][stdin]") {
  SECTION("a terminal") {
    auto pty = asncounter::test::open_pty();
    REQUIRE(pty.master);
    REQUIRE(pty.terminal);
    DaemonFixture daemon(stdin_setup(pty.terminal.get(), {}));
    pty.terminal.reset();
    INFO(daemon.log());
    CHECK_THAT(daemon.log(), Catch::Contains("no input configured and stdin is a terminal: counting nothing. "
                                             "Give --input SPEC ("));
    CHECK_THAT(daemon.log(), Catch::Contains("or pipe lines into asncounterd"));
    CHECK(daemon.stop(SIGTERM) == 0);
  }
  SECTION("/dev/null, as systemd gives it") {
    int null = open("/dev/null", O_RDONLY);
    REQUIRE(null >= 0);
    DaemonFixture daemon(stdin_setup(null, {}));
    close(null);
    INFO(daemon.log());
    CHECK_THAT(daemon.log(), Catch::Contains("no input configured and nothing on stdin: counting nothing"));
    CHECK(daemon.stop(SIGTERM) == 0);
  }
  SECTION("closed: the daemon's own sockets do not take its number") {
    DaemonFixture daemon(stdin_setup(-1, {}));
    INFO(daemon.log());
    CHECK_THAT(daemon.log(), Catch::Contains("nothing on stdin: counting nothing"));
    CHECK(daemon.stop(SIGTERM) == 0);
  }
}
