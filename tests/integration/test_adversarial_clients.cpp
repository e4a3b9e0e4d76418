// Hostile control clients against the real daemon (issue 12 findings 2 and
// 7): a read-only client pipelining huge answers must not stall the others,
// grow the daemon's memory or delay its stop; idle read-only clients must not
// lock root out.
#include <grp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <future>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/daemon_fixture.hpp"
#include "tests/support/peak_rss.hpp"
#include "tests/support/polling.hpp"
#include "tests/support/sanitizer_bounds.hpp"
#include "tests/support/unix_client.hpp"

namespace fs = std::filesystem;
using asncounter::test::connect_unix;
using asncounter::test::DaemonFixture;
using asncounter::test::eventually;
using asncounter::test::kMiB;
using asncounter::test::peak_rss_kib;
using asncounter::test::read_lines;
using asncounter::test::rss_bound_kib;
using asncounter::test::time_bound;
using nlohmann::json;

// The unfixed daemon answered the 30 requests one after the other on its
// event loop and kept every answer in memory: the second client's version
// waited 13 s, the resident memory grew by 700 MB, SIGTERM waited its turn.
TEST_CASE("A client pipelining 30 unlimited prefixes requests does not stall another client or the stop",
          "[adversarial][daemon]") {
  constexpr int kPrefixes = 120000;
  DaemonFixture d({.config_text = "save-interval = 3600\n",
                   .socket_group = "",
                   .reachable_by_others = false,
                   .extra_args = {}});
  d.count_many_prefixes(kPrefixes);
  long rss_before = peak_rss_kib(d.pid());

  int flood = connect_unix(d.socket());
  REQUIRE(flood >= 0);
  std::string requests;
  for (int i = 0; i < 30; ++i)
    requests += R"({"jsonrpc":"2.0","id":)" + std::to_string(i) +
                R"(,"method":"prefixes","params":{"limit":0}})" + "\n";
  REQUIRE(::write(flood, requests.data(), requests.size()) == static_cast<ssize_t>(requests.size()));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the daemon is at work on them

  // Another client's version comes at once; the flood's answers are not read.
  for (int i = 0; i < 3; ++i) {
    auto started = std::chrono::steady_clock::now();
    auto answer = json::parse(d.call(R"({"jsonrpc":"2.0","id":1,"method":"version"})"));
    auto took = std::chrono::steady_clock::now() - started;
    CHECK(answer.contains("result"));
    CHECK(took < time_bound(std::chrono::seconds(1)));
  }
  // Its answers come one at a time, as the client reads them: memory stays bounded.
  auto first = read_lines(flood, 2);
  REQUIRE(first.size() == 2);
  auto answer = json::parse(first[0]);
  REQUIRE(answer.contains("result"));
  CHECK(answer["result"]["rows"].size() == 100000);  // rpc-max-rows
  CHECK(answer["result"]["truncated"] == true);
  long rss_after = peak_rss_kib(d.pid());
  INFO("peak RSS before " << rss_before << " KiB, after " << rss_after << " KiB");
  CHECK(rss_after - rss_before < rss_bound_kib(250 * kMiB));

  // SIGTERM with the flood still pending: a prompt stop, the counts saved.
  auto started = std::chrono::steady_clock::now();
  auto stopped = std::async(std::launch::async, [&] { return d.stop(SIGTERM); });
  if (stopped.wait_for(std::chrono::seconds(30)) != std::future_status::ready) kill(d.pid(), SIGKILL);
  CHECK(stopped.get() == 0);
  CHECK(std::chrono::steady_clock::now() - started < time_bound(std::chrono::seconds(5)));
  ::close(flood);
  d.start();
  CHECK(d.stats()["totals"]["hits"] == kPrefixes);
  CHECK(d.stop(SIGTERM) == 0);
}

TEST_CASE("An answer cut at rpc-max-rows says it was truncated", "[adversarial][daemon]") {
  DaemonFixture d({.config_text = "rpc-max-rows = 2\n",
                   .socket_group = "",
                   .reachable_by_others = false,
                   .extra_args = {}});
  d.write_fifo("192.0.2.1\n198.51.100.1\n203.0.113.1\n");
  REQUIRE(d.wait_for_hits(3) == 3);
  auto cut = json::parse(d.call(R"({"jsonrpc":"2.0","id":1,"method":"prefixes","params":{"limit":0}})"));
  CHECK(cut["result"]["rows"].size() == 2);
  CHECK(cut["result"]["truncated"] == true);
  CHECK(cut["result"]["total"] == 3);
  auto whole = json::parse(d.call(R"({"jsonrpc":"2.0","id":2,"method":"top","params":{"limit":2}})"));
  CHECK(whole["result"]["rows"].size() == 2);
  CHECK_FALSE(whole["result"].contains("truncated"));  // the client asked for 2: nothing was cut
  auto report = json::parse(d.call(R"({"jsonrpc":"2.0","id":3,"method":"report","params":{"limit":0}})"));
  CHECK(report["result"]["prefixes"]["truncated"] == true);
  CHECK(d.stop(SIGTERM) == 0);
}

namespace {

// Forks a child that becomes uid/gid 65534 and holds `count` connections to
// `socket` until the parent closes `release_write`; returns its pid.
pid_t hold_connections(const fs::path& socket, int count, int ready_fd, int release_fd, int release_write) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  ::close(release_write);  // else the child would wait for itself
  if (setgroups(0, nullptr) != 0 || setgid(65534) != 0 || setuid(65534) != 0) _exit(2);
  std::vector<int> fds;
  for (int i = 0; i < count; ++i) fds.push_back(connect_unix(socket));
  char done = 'x';
  if (::write(ready_fd, &done, 1) != 1) _exit(3);
  char wait_byte = 0;
  while (::read(release_fd, &wait_byte, 1) > 0) {
  }
  _exit(0);
}

}  // namespace

// The unfixed daemon accepted any client up to max-clients: 64 idle
// read-only connections made root's reset fail with "too many clients".
TEST_CASE("Idle read-only connections filling max-clients do not lock root out", "[adversarial][daemon]") {
  if (geteuid() != 0) ASNCOUNTER_SKIP("needs root to hold connections as nobody");
  auto held_by_nobody = [](const std::string& config, int count, int expect_held) {
    DaemonFixture d({.config_text = "client-timeout = 120\n" + config,
                     .socket_group = "nogroup",
                     .reachable_by_others = true,
                     .extra_args = {}});
    d.write_fifo("192.0.2.1\n");
    REQUIRE(d.wait_for_hits(1) == 1);
    int ready[2];
    int release[2];
    REQUIRE(pipe(ready) == 0);
    REQUIRE(pipe(release) == 0);
    pid_t child = hold_connections(d.socket(), count, ready[1], release[0], release[1]);
    ::close(ready[1]);
    ::close(release[0]);
    char byte = 0;
    REQUIRE(::read(ready[0], &byte, 1) == 1);
    CHECK(eventually([&] { return d.stats()["rpc"]["clients"].get<int>() >= expect_held; }));
    auto reset = d.ctl("reset --yes");
    CHECK(reset.status == 0);
    CHECK(reset.out.find("too many clients") == std::string::npos);
    CHECK(d.log().find("admin method reset called by uid 0") != std::string::npos);
    // The held ones and the stats call itself: the cap held.
    CHECK(eventually([&] { return d.stats()["rpc"]["clients"].get<int>() == expect_held + 1; }));
    ::close(release[1]);
    ::close(ready[0]);
    int status = 0;
    waitpid(child, &status, 0);
    CHECK(d.stop(SIGTERM) == 0);
  };
  SECTION("the per-user cap (default 16) stops one user first") { held_by_nobody("", 64, 16); }
  SECTION("admin slots (default 4) stay free when one user may fill the rest") {
    held_by_nobody("max-clients-per-uid = 64\n", 64, 60);
  }
}
