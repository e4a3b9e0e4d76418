// Issue 12, "no request may hold the event loop": a reload naming a new db
// reads it off the loop, one reload at a time, and a stop gives the reading
// up. The new db is slow: a few real lines, then gigabytes of comments packed
// as repeated bzip2 streams. The unfixed daemon read it on its event loop:
// no other client was answered until it was read (minutes), and SIGTERM
// waited for it.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <thread>

#include "ctl/client.hpp"
#include "tests/integration/daemon_fixture.hpp"
#include "tests/support/files.hpp"
#include "tests/support/polling.hpp"
#include "tests/support/sanitizer_bounds.hpp"
#include "tests/support/slow_table.hpp"

namespace fs = std::filesystem;
using asncounter::test::DaemonFixture;
using asncounter::test::eventually;
using asncounter::test::read_text;
using asncounter::test::write_text;
using namespace std::chrono_literals;

namespace {

// Whether the daemon answers `version` within `patience`.
bool answers_version(const DaemonFixture& d, std::chrono::seconds patience) {
  auto client = asncounter::ctl::Client::connect(d.socket().string(), patience);
  return client && client->exchange(R"({"jsonrpc":"2.0","id":1,"method":"version"})").ok();
}

// Starts a reload (by `start`) of a slow new db, then checks that the daemon
// answers meanwhile, refuses a second reload (by `again`), and stops
// promptly with its counts.
template <class Start, class Again>
void reload_slow_db(Start start, Again again) {
  DaemonFixture::Setup setup;
  setup.db_in_config = true;
  setup.config_text = "save-interval = 3600\n";
  DaemonFixture d(setup);
  d.write_fifo("192.0.2.1\n198.51.100.7\n");
  REQUIRE(d.wait_for_hits(2) == 2);
  const fs::path slow = d.dir() / "slow.bz2";
  REQUIRE(asncounter::test::write_slow_table(slow, read_text(d.db()), 2500));  // 40 GB of comments
  write_text(d.config(), "save-interval = 3600\ndb = " + slow.string() + "\n");

  auto started_reload = start(d);
  // The table is being read: the refresh status says so (the unfixed daemon
  // could not answer this before the whole file was read).
  REQUIRE(eventually([&] { return d.stats()["refresh"]["last_outcome"] == "running"; }));
  CHECK(answers_version(d, 3s));
  again(d);

  auto began = std::chrono::steady_clock::now();
  auto stopped = std::async(std::launch::async, [&] { return d.stop(SIGTERM); });
  if (stopped.wait_for(30s) != std::future_status::ready) ::kill(d.pid(), SIGKILL);
  CHECK(stopped.get() == 0);
  CHECK(std::chrono::steady_clock::now() - began < asncounter::test::time_bound(10s));
  started_reload.reset();

  write_text(d.config(), "save-interval = 3600\ndb = " + d.db().string() + "\n");
  d.start();
  CHECK(d.stats()["totals"]["hits"] == 2);  // saved at the stop
  CHECK(d.stop(SIGTERM) == 0);
}

}  // namespace

TEST_CASE("A reload reading a slow new db leaves the daemon answering, one reload at a time",
          "[adversarial][daemon][reload]") {
  reload_slow_db(
      [](const DaemonFixture& d) {
        // The client waits for its answer: that wait is the reload in flight.
        return std::make_shared<std::future<asncounter::test::CommandResult>>(
            std::async(std::launch::async, [&d] { return d.ctl("reload"); }));
      },
      [](const DaemonFixture& d) {
        auto second = d.ctl("reload");
        CHECK(second.status != 0);
        CHECK(second.out.find("a reload is under way") != std::string::npos);
      });
}

TEST_CASE("SIGHUP reads a slow new db off the event loop too", "[adversarial][daemon][reload]") {
  reload_slow_db(
      [](const DaemonFixture& d) {
        ::kill(d.pid(), SIGHUP);
        return std::shared_ptr<int>();
      },
      [](const DaemonFixture& d) {
        ::kill(d.pid(), SIGHUP);
        CHECK(eventually(
            [&] { return d.log().find("SIGHUP ignored: a reload is under way") != std::string::npos; }));
      });
}
