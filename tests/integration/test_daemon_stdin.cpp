// The daemon with no --input (issue 14, item 3): lines piped into its stdin
// are counted with --input-format, as `tcpdump -n -q | asncounterd
// --input-format tcpdump --db DB` expects; a terminal or /dev/null on stdin is
// not read, and the log says how to give an input.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/daemon_fixture.hpp"
#include "tests/support/test_support.hpp"

using asncounter::test::quote;
using asncounter::test::run_command;
using asncounter::test::TempDir;

namespace {

/// asncounterd without --input, its stdin `stdin_fd`, its log in DIR/log; stopped by stop().
class StdinDaemon {
 public:
  StdinDaemon(const TempDir& dir, int stdin_fd, const std::vector<std::string>& extra) : dir_(dir) {
    std::ofstream(dir / "table.dat") << "; test table\n192.0.2.0/24\t64496\n2001:db8::/32\t64499\n";
    std::vector<std::string> args = {ASNCOUNTERD_BIN,
                                     "--db",
                                     (dir / "table.dat").string(),
                                     "--socket",
                                     socket(),
                                     "--state-dir",
                                     (dir / "state").string(),
                                     "--cache-dir",
                                     (dir / "cache").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    const std::string log = (dir / "log").string();
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      int out = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (stdin_fd >= 0)
        dup2(stdin_fd, 0);
      else
        close(0);
      dup2(out, 1);
      dup2(out, 2);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    // Ready when it answers; the bound only keeps a broken daemon from hanging.
    for (int i = 0; i < 500 && ctl("stats").status != 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ~StdinDaemon() { stop(SIGKILL); }

  std::string socket() const { return (dir_ / "control.sock").string(); }
  asncounter::test::CommandResult ctl(const std::string& args) const {
    return run_command(quote(ASNCOUNTERCTL_BIN) + " --socket " + quote(socket()) + " " + args + " 2>&1");
  }
  std::string log() const {
    std::ifstream in(dir_ / "log");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  int stop(int sig) {
    if (pid_ <= 0) return -1;
    kill(pid_, sig);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  const TempDir& dir_;
  pid_t pid_ = -1;
};

}  // namespace

TEST_CASE("daemon stdin: with no --input, tcpdump lines piped in are counted", "[daemon][stdin]") {
  TempDir dir;
  int fds[2];
  // Close-on-exec: the daemon must hold no write end, or its stdin never ends.
  REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
  StdinDaemon daemon(dir, fds[0], {"--input-format", "tcpdump"});
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
    TempDir dir;
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    REQUIRE(master >= 0);
    REQUIRE(grantpt(master) == 0);
    REQUIRE(unlockpt(master) == 0);
    int terminal = open(ptsname(master), O_RDWR | O_NOCTTY);
    REQUIRE(terminal >= 0);
    StdinDaemon daemon(dir, terminal, {});
    close(terminal);
    INFO(daemon.log());
    CHECK_THAT(daemon.log(), Catch::Contains("no input configured and stdin is a terminal: counting nothing. "
                                             "Give --input SPEC ("));
    CHECK_THAT(daemon.log(), Catch::Contains("or pipe lines into asncounterd"));
    CHECK(daemon.stop(SIGTERM) == 0);
    close(master);
  }
  SECTION("/dev/null, as systemd gives it") {
    TempDir dir;
    int null = open("/dev/null", O_RDONLY);
    REQUIRE(null >= 0);
    StdinDaemon daemon(dir, null, {});
    close(null);
    INFO(daemon.log());
    CHECK_THAT(daemon.log(), Catch::Contains("no input configured and nothing on stdin: counting nothing"));
    CHECK(daemon.stop(SIGTERM) == 0);
  }
  SECTION("closed: the daemon's own sockets do not take its number") {
    TempDir dir;
    StdinDaemon daemon(dir, -1, {});
    INFO(daemon.log());
    CHECK_THAT(daemon.log(), Catch::Contains("nothing on stdin: counting nothing"));
    CHECK(daemon.stop(SIGTERM) == 0);
  }
}
