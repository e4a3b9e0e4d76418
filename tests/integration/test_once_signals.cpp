// asncounterd --once answers signals as the old tool did (DESIGN.md "The
// one-shot report"): SIGINT and SIGTERM end the reading and print the report,
// SIGHUP and SIGUSR1 print an interim one; --duration and --count end it by
// themselves. The real binary, fed through a FIFO, a pipe, a live capture on
// lo, and a pseudo-terminal for Ctrl-C.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "tests/support/child_process.hpp"
#include "tests/support/test_support.hpp"

using asncounter::test::ChildProcess;
using asncounter::test::run_command;
using asncounter::test::TempDir;

namespace {

const std::string kDaemon = ASNCOUNTERD_BIN;

std::string q(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

std::filesystem::path write_table(const TempDir& dir) {
  std::ofstream(dir / "table.dat") << "; test table\n192.0.2.0/24\t64496\n198.51.100.0/24\t64497\n"
                                      "127.0.0.0/8\t64498\n2001:db8::/32\t64499\n";
  return dir / "table.dat";
}

/// One report (both tables) from the child's stdout; shorter when it ends.
std::string read_report(ChildProcess& child) {
  std::string report;
  for (int totals = 0; totals < 2;) {
    std::string line = child.read_line();
    if (line.empty()) break;
    report += line + "\n";
    if (line.starts_with("total: ")) ++totals;
  }
  return report;
}

/// The first table's total of a report, or -1.
long long total_of(const std::string& report) {
  auto at = report.find("total: ");
  return at == std::string::npos ? -1 : std::stoll(report.substr(at + 7));
}

/// Asks for interim reports with `sig` until one shows `total` hits (the
/// input's partial batch reaches the store within its idle flush); returns
/// the last report read. The bound only keeps a broken binary from hanging.
std::string interim_until(ChildProcess& child, int sig, long long total) {
  std::string report;
  for (int i = 0; i < 500; ++i) {
    kill(child.pid(), sig);
    report = read_report(child);
    if (total_of(report) >= total || report.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return report;
}

/// Waits until `pid` blocks the signals --once answers (its main thread's
/// SigBlk in /proc): before that, a signal would still kill it. The bound
/// only keeps a broken binary from hanging the test.
bool answers_signals(pid_t pid) {
  const unsigned long long wanted =
      (1ULL << (SIGHUP - 1)) | (1ULL << (SIGINT - 1)) | (1ULL << (SIGUSR1 - 1)) | (1ULL << (SIGTERM - 1));
  for (int i = 0; i < 1000; ++i) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);) {
      if (line.starts_with("SigBlk:") && (std::stoull(line.substr(7), nullptr, 16) & wanted) == wanted)
        return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

/// A writer on the FIFO the child reads (it creates it as it starts).
int open_writer(const std::filesystem::path& fifo) {
  for (int i = 0; i < 1000; ++i) {
    int fd = open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0) {
      fcntl(fd, F_SETFL, 0);
      return fd;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

void write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    REQUIRE(n > 0);
    done += static_cast<std::size_t>(n);
  }
}

std::string repeat(const std::string& line, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += line;
  return out;
}

}  // namespace

TEST_CASE("once signals: SIGHUP and SIGUSR1 print interim reports, SIGTERM the final one",
          "[once][signals]") {
  TempDir dir;
  auto table = write_table(dir);
  ChildProcess child({kDaemon, "--once", "--db", table.string(), "--input", "fifo:" + (dir / "in").string()});
  const int fd = open_writer(dir / "in");
  REQUIRE(fd >= 0);
  REQUIRE(answers_signals(child.pid()));
  write_all(fd, repeat("192.0.2.1\n", 3) + repeat("198.51.100.7\n", 2));

  auto first = interim_until(child, SIGHUP, 5);
  CHECK(total_of(first) == 5);
  CHECK_THAT(first, Catch::StartsWith("# interim report (SIGHUP or SIGUSR1)"));
  CHECK_THAT(first, Catch::Contains("3\t60.00\t64496\tNone\n"));

  // The reading goes on after an interim report.
  write_all(fd, repeat("2001:db8::1\n", 5));
  auto second = interim_until(child, SIGUSR1, 10);
  CHECK(total_of(second) == 10);
  CHECK_THAT(second, Catch::Contains("5\t50.00\t64499\tNone\n"));

  // SIGTERM: the writer is still there, the reading ends, the report prints.
  CHECK(child.stop(SIGTERM) == 0);
  auto last = read_report(child);
  close(fd);
  CHECK(last ==
        "count\tpercent\tASN\tAS\n5\t50.00\t64499\tNone\n3\t30.00\t64496\tNone\n2\t20.00\t64497\tNone\ntotal:"
        " 10\n"
        "count\tpercent\tprefix\tASN\tAS\n5\t50.00\t2001:db8::/32\t64499\tNone\n"
        "3\t30.00\t192.0.2.0/24\t64496\tNone\n2\t20.00\t198.51.100.0/24\t64497\tNone\ntotal: 10\n");
}

TEST_CASE("once signals: SIGINT ends a pipe that never closes with the report of what was read",
          "[once][signals]") {
  TempDir dir;
  auto table = write_table(dir);
  REQUIRE(mkfifo((dir / "pipe").c_str(), 0600) == 0);
  // The daemon's stdin is a pipe (a FIFO opened by a shell redirection) whose writer stays open.
  ChildProcess child({"/bin/sh", "-c", "exec \"$0\" --once --db \"$1\" < \"$2\"", kDaemon, table.string(),
                      (dir / "pipe").string()});
  const int fd = open_writer(dir / "pipe");
  REQUIRE(fd >= 0);
  REQUIRE(answers_signals(child.pid()));
  write_all(fd, repeat("192.0.2.9\n", 7));
  CHECK(total_of(interim_until(child, SIGUSR1, 7)) == 7);
  CHECK(child.stop(SIGINT) == 0);
  auto last = read_report(child);
  close(fd);
  CHECK(total_of(last) == 7);
  CHECK_THAT(last, Catch::Contains("7\t100.00\t64496\tNone\n"));
}

TEST_CASE("once signals: --count N stops after N events, --duration after its time", "[once][signals]") {
  TempDir dir;
  auto table = write_table(dir);
  // `yes` never ends: only --count can.
  auto counted = run_command("yes 192.0.2.1 | " + kDaemon + " --once --db " + q(table) + " --count 1000");
  CHECK(counted.status == 0);
  CHECK(counted.out ==
        "count\tpercent\tASN\tAS\n1000\t100.00\t64496\tNone\ntotal: 1000\n"
        "count\tpercent\tprefix\tASN\tAS\n1000\t100.00\t192.0.2.0/24\t64496\tNone\ntotal: 1000\n");
  // A FIFO nobody writes to never ends either: --duration does.
  auto timed = run_command(kDaemon + " --once --db " + q(table) +
                           " --duration 1 --input fifo:" + (dir / "quiet").string());
  CHECK(timed.status == 0);
  CHECK(timed.out == "count\tpercent\tASN\tAS\ntotal: 0\ncount\tpercent\tprefix\tASN\tAS\ntotal: 0\n");
  // Both are one-shot options.
  auto daemon_count = run_command(kDaemon + " --db " + q(table) + " --count 5 2>&1");
  CHECK(daemon_count.status == 2);
  CHECK_THAT(daemon_count.out, Catch::Contains("only with --once"));
}

TEST_CASE("once signals: a live capture on lo prints its report on SIGINT", "[once][signals][live]") {
  if (geteuid() != 0) ASNCOUNTER_SKIP("live capture on lo needs root (CAP_NET_RAW)");
  TempDir dir;
  auto table = write_table(dir);
  const int receiver = socket(AF_INET, SOCK_DGRAM, 0);
  const int sender = socket(AF_INET, SOCK_DGRAM, 0);
  REQUIRE(receiver >= 0);
  REQUIRE(sender >= 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(receiver, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0);
  socklen_t len = sizeof to;
  getsockname(receiver, reinterpret_cast<sockaddr*>(&to), &len);
  const std::string port = std::to_string(ntohs(to.sin_port));
  ChildProcess child({kDaemon, "--once", "--db", table.string(), "--input", "pcap:lo", "--filter",
                      "udp and dst port " + port});
  REQUIRE(answers_signals(child.pid()));
  // Packets sent before the capture runs are not seen: send until one is.
  std::string interim;
  for (int i = 0; i < 500 && total_of(interim) < 1; ++i) {
    REQUIRE(sendto(sender, "x", 1, 0, reinterpret_cast<sockaddr*>(&to), sizeof to) == 1);
    interim = interim_until(child, SIGUSR1, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  close(sender);
  close(receiver);
  CHECK(total_of(interim) >= 1);
  CHECK(child.stop(SIGINT) == 0);
  auto last = read_report(child);
  CHECK(total_of(last) >= total_of(interim));
  CHECK_THAT(last, Catch::Contains("\t64498\tNone\t"));
  CHECK_THAT(last, Catch::Contains("\t127.0.0.0/8\t64498\tNone\t"));
}

TEST_CASE("once signals: Ctrl-C in a terminal keeps the counts of tail -F | asncounterd --once",
          "[once][signals]") {
  TempDir dir;
  auto table = write_table(dir);
  std::ofstream(dir / "access.log") << repeat("192.0.2.1 - - \"GET /\"\n", 4)
                                    << repeat("198.51.100.2 x\n", 2);
  auto r = run_command("/usr/bin/python3 " + std::string(ASNCOUNTER_SOURCE_DIR) +
                       "/tests/integration/once_ctrl_c.py " + q(kDaemon) + " " + q(table) + " " +
                       q(dir / "access.log") + " 6 2>&1");
  INFO(r.out);
  CHECK(r.status == 0);
  CHECK_THAT(r.out, Catch::Contains("final report:\ncount\tpercent\tASN\tAS\n4\t66.67\t64496\tNone\n"
                                    "2\t33.33\t64497\tNone\ntotal: 6\n"));
}
