// Time windows end to end (DESIGN.md "Time: since start, and now"): the real
// daemon with one-second steps and the real asncounterctl. Stream A, a pause
// longer than the window, stream B: the window holds B exactly, since start
// holds A + B exactly.
#include <catch2/catch.hpp>

#include <csignal>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/integration/daemon_fixture.hpp"

using asncounter::test::DaemonFixture;
using nlohmann::json;

namespace {

std::string lines(int n, const char* address) {
  std::string out;
  for (int i = 0; i < n; ++i) out += std::string(address) + "\n";
  return out;
}

DaemonFixture::Setup one_second_steps() {
  return {.config_text = "history-step = 1\nhistory-span = 600\nsave-interval = 1\n",
          .socket_group = "",
          .reachable_by_others = false,
          .extra_args = {}};
}

// ASN -> count of a `top --json` answer.
std::map<std::uint64_t, std::uint64_t> counts_of(const std::string& answer) {
  std::map<std::uint64_t, std::uint64_t> out;
  json doc = json::parse(answer);
  for (const auto& row : doc.at("rows")) out[row.at("asn").get<std::uint64_t>()] = row.at("count");
  return out;
}

// Feeds A (64496) then, after a pause, B (64497); a 2 s window then covers
// B's step and not A's (A is 8 s older, steps are 1 s).
void feed_a_then_b(DaemonFixture& d) {
  d.write_fifo(lines(100, "192.0.2.1"));
  REQUIRE(d.wait_for_hits(100) == 100);
  std::this_thread::sleep_for(std::chrono::seconds(8));
  d.write_fifo(lines(30, "198.51.100.7") + lines(20, "2001:db8:1::1"));
  REQUIRE(d.wait_for_hits(150) == 150);
}

}  // namespace

TEST_CASE("top --window covers only the recent stream, since start covers both", "[daemon][window]") {
  DaemonFixture d(one_second_steps());
  feed_a_then_b(d);

  auto windowed = d.ctl("--json top --window 2s");
  REQUIRE(windowed.status == 0);
  CHECK(counts_of(windowed.out) == std::map<std::uint64_t, std::uint64_t>{{64497, 30}, {64500, 20}});
  json w = json::parse(windowed.out).at("window");
  CHECK(w.at("seconds") == 2);
  CHECK(w.at("to").get<double>() >= w.at("from").get<double>());
  CHECK(w.at("to").get<double>() - w.at("from").get<double>() <= 3.5);

  auto since_start = d.ctl("--json top");
  REQUIRE(since_start.status == 0);
  CHECK(counts_of(since_start.out) ==
        std::map<std::uint64_t, std::uint64_t>{{64496, 100}, {64497, 30}, {64500, 20}});
  CHECK(!json::parse(since_start.out).contains("window"));

  // The text form: a rate/s column and the interval line; percentages of the window.
  auto text = d.ctl("top --window 2");
  REQUIRE(text.status == 0);
  CHECK(text.out.find("count\tpercent\tASN\tAS\trate/s\n") != std::string::npos);
  CHECK(text.out.find("30\t60.00\t64497\t") != std::string::npos);
  CHECK(text.out.find("total: 50\n") != std::string::npos);
  CHECK(text.out.find("window: 2 s asked") != std::string::npos);

  // One ASN over the window and since start.
  auto one = d.ctl("--json asn 64497 --window 2s");
  REQUIRE(one.status == 0);
  json a = json::parse(one.out);
  CHECK(a.at("count") == 30);
  CHECK(a.at("rank") == 1);
  CHECK(d.ctl("--json asn 64496 --window 2s").out.find("\"count\":0") != std::string::npos);
  auto whole = d.ctl("asn 64496");
  CHECK(whole.out.find("count: 100\n") != std::string::npos);
  CHECK(whole.out.find("192.0.2.0/24\t100\n") != std::string::npos);

  // block-list: only who is active now, and never under --min-count.
  auto blocked = d.ctl("--json block-list --window 2s --format cidr");
  REQUIRE(blocked.status == 0);
  CHECK(json::parse(blocked.out).at("prefixes") == json::array({"198.51.100.0/24", "2001:db8:1::/48"}));
  auto loud = d.ctl("--json block-list --window 2s --min-count 25 --format cidr");
  CHECK(json::parse(loud.out).at("prefixes") == json::array({"198.51.100.0/24"}));

  // stats shows the history.
  auto stats = d.ctl("--json stats");
  json h = json::parse(stats.out).at("history");
  CHECK(h.at("enabled") == true);
  CHECK(h.at("steps").get<std::uint64_t>() >= 3);
  CHECK(h.at("bytes").get<std::uint64_t>() > 0);

  // After a restart: the history came back with the counts, the downtime
  // as a gap, so a window reaching back over B (not A) still holds B only.
  CHECK(d.stop(SIGTERM) == 0);
  d.start();
  REQUIRE(d.wait_for_hits(150) == 150);
  auto restored = d.ctl("--json top --window 4s");
  REQUIRE(restored.status == 0);
  CHECK(counts_of(restored.out) == std::map<std::uint64_t, std::uint64_t>{{64497, 30}, {64500, 20}});
  CHECK(counts_of(d.ctl("--json top").out) ==
        std::map<std::uint64_t, std::uint64_t>{{64496, 100}, {64497, 30}, {64500, 20}});
  CHECK(d.stop(SIGTERM) == 0);
}

TEST_CASE("A window longer than the history is clipped and says so by its from", "[daemon][window]") {
  DaemonFixture d(one_second_steps());
  d.write_fifo(lines(10, "192.0.2.1"));
  REQUIRE(d.wait_for_hits(10) == 10);
  auto answer = d.ctl("--json top --window 30d");
  REQUIRE(answer.status == 0);
  json w = json::parse(answer.out).at("window");
  CHECK(w.at("seconds") == 30 * 86400);
  CHECK(w.at("clipped") == true);
  CHECK(w.at("to").get<double>() - w.at("from").get<double>() < 600);
  CHECK(counts_of(answer.out) == std::map<std::uint64_t, std::uint64_t>{{64496, 10}});
  CHECK(d.stop(SIGTERM) == 0);
}

TEST_CASE("Bad windows are refused: 5x and negative by asncounterctl, not a number by the daemon",
          "[daemon][window]") {
  DaemonFixture d(one_second_steps());
  auto unit = d.ctl("top --window 5x");
  CHECK(unit.status == 2);
  CHECK(unit.out.find("90s, 5m, 1h, 1d") != std::string::npos);
  CHECK(d.ctl("top --window -5").status == 2);
  CHECK(d.ctl("top --window 99999999999").status == 2);
  for (const char* bad : {R"({"jsonrpc":"2.0","id":1,"method":"top","params":{"window":-1}})",
                          R"({"jsonrpc":"2.0","id":1,"method":"top","params":{"window":"5m"}})",
                          R"({"jsonrpc":"2.0","id":1,"method":"asn","params":{"asn":1,"window":1.5}})"}) {
    CAPTURE(bad);
    CHECK(d.call(bad).find("-32602") != std::string::npos);
  }
  CHECK(d.stop(SIGTERM) == 0);
}
