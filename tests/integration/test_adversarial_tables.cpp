// Hostile tables against the real daemon (issue 12): a --db file cut short
// is refused like a cut download, a reload naming a bad --db answers an
// error, and SIGTERM with a slow table in flight saves the counts first.
#include <signal.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <future>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/daemon_fixture.hpp"
#include "tests/support/files.hpp"
#include "tests/support/many_prefixes.hpp"
#include "tests/support/polling.hpp"
#include "tests/support/sanitizer_bounds.hpp"
#include "tests/support/slow_table.hpp"

namespace fs = std::filesystem;
using asncounter::test::DaemonFixture;
using asncounter::test::eventually;
using asncounter::test::read_text;
using asncounter::test::write_many_prefixes;
using asncounter::test::write_text;
using nlohmann::json;

namespace {

// The first `lines` lines of `text`.
std::string first_lines(const std::string& text, int lines) {
  std::size_t end = 0;
  for (int i = 0; i < lines && end != std::string::npos; ++i) end = text.find('\n', end + (i > 0 ? 1 : 0));
  return end == std::string::npos ? text : text.substr(0, end + 1);
}

}  // namespace

TEST_CASE("A --db file cut short and refreshed is refused, counted and logged, and the table stays",
          "[adversarial][daemon]") {
  DaemonFixture d;
  REQUIRE(write_many_prefixes(d.db(), 4000));
  REQUIRE(d.ctl("refresh").status == 0);
  REQUIRE(eventually([&] { return d.stats()["table"]["prefixes"] == 4000; }));
  std::string whole = read_text(d.db());

  write_text(d.db(), first_lines(whole, 1000));
  REQUIRE(d.ctl("refresh").status == 0);
  REQUIRE(eventually([&] { return d.stats()["refresh"]["failed"] == 1; }));
  auto s = d.stats();
  CHECK(s["table"]["prefixes"] == 4000);
  CHECK(s["refresh"]["last_outcome"].get<std::string>().find("implausibly small") != std::string::npos);
  CHECK(d.log().find("implausibly small") != std::string::npos);
  CHECK(d.stop(SIGTERM) == 0);
}

TEST_CASE("A reload naming a bad --db answers an error and keeps the table and the configuration",
          "[adversarial][daemon]") {
  DaemonFixture::Setup setup;
  setup.db_in_config = true;
  DaemonFixture d(setup);
  fs::path big = d.dir() / "big.dat";
  REQUIRE(write_many_prefixes(big, 4000));
  write_text(d.config(), "db = " + big.string() + "\n");
  REQUIRE(d.ctl("reload").status == 0);
  REQUIRE(eventually([&] { return d.stats()["table"]["prefixes"] == 4000; }));

  auto expect_refused = [&](const fs::path& bad, int failures) {
    write_text(d.config(), "db = " + bad.string() + "\n");
    auto r = d.ctl("reload");
    CHECK(r.status != 0);
    CHECK(r.out.find("configuration reloaded") == std::string::npos);
    INFO(r.out);
    auto s = d.stats();
    CHECK(s["reloads"]["failed"] == failures);
    CHECK(s["table"]["prefixes"] == 4000);
    CHECK(s["table"]["source"] == big.string());
  };
  SECTION("a file cut to 1,000 lines") {
    fs::path cut = d.dir() / "cut.dat";
    write_text(cut, first_lines(read_text(big), 1000));
    expect_refused(cut, 1);
  }
  SECTION("a file that is no table") {
    fs::path garbage = d.dir() / "garbage.dat";
    write_text(garbage, std::string("\x01\x02 not a table\n", 15));
    expect_refused(garbage, 1);
  }
  // The old db stays the source: a refresh still reads it.
  write_text(d.config(), "db = " + big.string() + "\n");
  REQUIRE(d.ctl("refresh").status == 0);
  REQUIRE(eventually([&] { return d.stats()["refresh"]["ok"].get<int>() >= 2; }));
  CHECK(d.stats()["table"]["prefixes"] == 4000);
  CHECK(d.stop(SIGTERM) == 0);
}

// The slow table: a few real lines, then tens of GB of comment lines packed
// as repeated bzip2 streams (decompressing them takes minutes; the file is
// small). The unfixed daemon joined the parse before saving: > 30 s, and a
// SIGKILL lost the counts.
TEST_CASE("SIGTERM with a slow --db table in flight exits promptly and saves the counts first",
          "[adversarial][daemon]") {
  DaemonFixture d({.config_text = "save-interval = 3600\n",
                   .socket_group = "",
                   .reachable_by_others = false,
                   .extra_args = {}});
  std::string good = read_text(d.db());
  std::string lines;
  for (int i = 0; i < 500; ++i) lines += "192.0.2.1\n198.51.100.7\n";
  d.write_fifo(lines);
  REQUIRE(d.wait_for_hits(1000) == 1000);

  REQUIRE(asncounter::test::write_slow_table(d.db(), good, 2500));  // 40 GB decompressed

  REQUIRE(d.ctl("refresh").status == 0);
  REQUIRE(eventually([&] { return d.stats()["refresh"]["last_outcome"] == "running"; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // well into the padding

  auto started = std::chrono::steady_clock::now();
  auto stopped = std::async(std::launch::async, [&] { return d.stop(SIGTERM); });
  if (stopped.wait_for(std::chrono::seconds(30)) != std::future_status::ready) kill(d.pid(), SIGKILL);
  int status = stopped.get();
  auto took = std::chrono::steady_clock::now() - started;
  CHECK(status == 0);
  CHECK(took < asncounter::test::time_bound(std::chrono::seconds(10)));

  write_text(d.db(), good);
  d.start();
  CHECK(d.stats()["totals"]["hits"] == 1000);  // the counts came back from the state file
  CHECK(d.stop(SIGTERM) == 0);
}
