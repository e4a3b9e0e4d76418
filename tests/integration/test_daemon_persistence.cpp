// Counts survive restarts: after kill -9 at most one save interval is lost;
// a damaged state file is set aside and the daemon starts from zero.
#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/integration/daemon_fixture.hpp"

namespace fs = std::filesystem;
using asncounter::test::DaemonFixture;

namespace {

std::string lines(int n, const char* address) {
  std::string out;
  for (int i = 0; i < n; ++i) out += std::string(address) + "\n";
  return out;
}

// ASN -> count of a `top --json` answer; REQUIREs that it answered.
std::map<std::uint64_t, std::uint64_t> counts_of(const asncounter::test::CommandResult& answer) {
  REQUIRE(answer.status == 0);
  std::map<std::uint64_t, std::uint64_t> out;
  const auto doc = nlohmann::json::parse(answer.out);  // alive while the loop reads it
  for (const auto& row : doc.at("rows")) out[row.at("asn").get<std::uint64_t>()] = row.at("count");
  return out;
}

DaemonFixture::Setup saving_every_second() {
  return {.config_text = "save-interval = 1\n",
          .socket_group = "",
          .reachable_by_others = false,
          .extra_args = {}};
}

}  // namespace

TEST_CASE("After kill -9 at most one save interval of counts is lost", "[daemon][state]") {
  DaemonFixture d(saving_every_second());
  d.write_fifo(lines(100, "192.0.2.1"));
  REQUIRE(d.wait_for_hits(100) == 100);
  // Two and a half intervals: a save has happened since the 100 were counted.
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  d.write_fifo(lines(7, "198.51.100.1"));
  REQUIRE(d.wait_for_hits(107) == 107);
  REQUIRE(d.stop(SIGKILL) == 128 + SIGKILL);

  d.start();
  auto after = d.wait_for_hits(100);
  CHECK(after >= 100);  // what was older than one interval survived
  CHECK(after <= 107);  // and nothing was counted twice
  CHECK(d.stop(SIGTERM) == 0);
}

TEST_CASE("After kill -9 the windows over the past steps answer what they answered before",
          "[daemon][state][window]") {
  // One-second steps, a save every second: the save after the steps closed
  // holds them (before, the periodic save wrote the counts only, and every
  // window answered 0 after a kill).
  DaemonFixture d({.config_text = "history-step = 1\nhistory-span = 600\nsave-interval = 1\n",
                   .socket_group = "",
                   .reachable_by_others = false,
                   .extra_args = {}});
  d.write_fifo(lines(120, "192.0.2.1") + lines(30, "198.51.100.7"));
  REQUIRE(d.wait_for_hits(150) == 150);
  // The hits' step closes within a second, then a save: wait for both.
  std::this_thread::sleep_for(std::chrono::milliseconds(3500));
  auto before = counts_of(d.ctl("--json top --window 300s"));
  REQUIRE(before == std::map<std::uint64_t, std::uint64_t>{{64496, 120}, {64497, 30}});
  REQUIRE(fs::exists(d.dir() / "state" / "history.state"));
  REQUIRE(d.stop(SIGKILL) == 128 + SIGKILL);

  d.start();
  REQUIRE(d.wait_for_hits(150) == 150);
  CHECK(counts_of(d.ctl("--json top --window 300s")) == before);
  // And a window that ends before the kill holds nothing new: the restored
  // counts are not moves.
  CHECK(counts_of(d.ctl("--json top --window 2s")).empty());
  CHECK(d.log().find("restored") != std::string::npos);
  CHECK(d.stop(SIGTERM) == 0);
}

TEST_CASE("A damaged history file is set aside, and the counts still come back", "[daemon][state][window]") {
  DaemonFixture d(saving_every_second());
  d.write_fifo(lines(20, "192.0.2.1"));
  REQUIRE(d.wait_for_hits(20) == 20);
  REQUIRE(d.stop(SIGTERM) == 0);
  fs::path history = d.dir() / "state" / "history.state";
  REQUIRE(fs::exists(history));
  { std::ofstream(history, std::ios::app) << "x"; }

  d.start();
  CHECK(d.wait_for_hits(20) == 20);
  CHECK(d.log().find("history file damaged, set aside as") != std::string::npos);
  bool set_aside = false;
  for (const auto& e : fs::directory_iterator(d.dir() / "state"))
    set_aside |= e.path().filename().string().starts_with("history.state.damaged-");
  CHECK(set_aside);
  CHECK(d.stop(SIGTERM) == 0);
}

TEST_CASE("A damaged state file is set aside with a log line and the daemon starts empty",
          "[daemon][state]") {
  DaemonFixture d(saving_every_second());
  d.write_fifo(lines(20, "192.0.2.1"));
  REQUIRE(d.wait_for_hits(20) == 20);
  REQUIRE(d.stop(SIGTERM) == 0);
  fs::path state = d.dir() / "state" / "counts.state";
  REQUIRE(fs::exists(state));
  { std::ofstream(state, std::ios::trunc) << "asncounter-state 1\n192.0.2.0/24\t64496\t5\n"; }

  d.start();
  CHECK(d.wait_for_hits(0) == 0);
  CHECK(d.log().find("damaged") != std::string::npos);
  bool set_aside = false;
  for (const auto& e : fs::directory_iterator(d.dir() / "state"))
    set_aside |= e.path().filename().string().starts_with("counts.state.damaged-");
  CHECK(set_aside);
  d.write_fifo(lines(3, "192.0.2.1"));
  CHECK(d.wait_for_hits(3) == 3);  // and counts again from zero
  CHECK(d.stop(SIGTERM) == 0);
}
