#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <string>

#include "ctl/stats_text.hpp"

namespace {

// 2026-11-30 09:00:00 UTC.
constexpr std::int64_t kNow = 1796029200;

nlohmann::json answer() {
  return {{"version", "0.1.0"},
          {"protocol", 1},
          {"started_at", kNow - 7200},
          {"uptime_seconds", 7200},
          {"table",
           {{"source", "/var/cache/asncounter/rib.20261130.0600.bz2"},
            {"format", "mrt"},
            {"dump_time", kNow - 3 * 3600},
            {"loaded_at", kNow - 600},
            {"prefixes", 1000},
            {"v4_prefixes", 900},
            {"v6_prefixes", 100},
            {"memory_bytes", 5 << 20}}},
          {"as_names", 42},
          {"inputs", nlohmann::json::array({{{"spec", "fifo:/run/x"},
                                             {"events", 12},
                                             {"rejected", 1},
                                             {"oversized", 0},
                                             {"capture_drops", 0},
                                             {"reopens", 2},
                                             {"state", "running"}}})},
          {"totals",
           {{"hits", 11},
            {"bytes", 0},
            {"has_bytes", false},
            {"has_latency", false},
            {"generations", 1},
            {"shards", 4},
            {"contended_locks", 0}}},
          {"rpc", {{"clients", 1}, {"refused_clients", 0}, {"requests", 5}, {"errors", 0}, {"denied", 0}}},
          {"reloads", {{"ok", 1}, {"failed", 1}, {"last_error", "bad db"}}},
          {"refresh", {{"ok", 0}, {"failed", 0}, {"last_outcome", ""}}},
          {"history", {{"steps", 7}}},
          {"future", {{"steps", 7}}}};
}

}  // namespace

TEST_CASE("ctl stats: dates with ages, sections, the raw fields kept", "[ctl][stats]") {
  std::string text = asncounter::ctl::stats_text(answer().dump(), kNow);
  INFO(text);
  CHECK_THAT(text, Catch::Contains("table from 2026-11-30 06:00 UTC, 3 h old"));
  CHECK_THAT(text, Catch::Contains("loaded: 2026-11-30 08:50 UTC, 10 min ago"));
  CHECK_THAT(text, Catch::Contains("up 2 h, since 2026-11-30 07:00 UTC"));
  CHECK_THAT(text, Catch::Contains("prefixes: 1000 (IPv4 900, IPv6 100), 5 MiB"));
  CHECK_THAT(text, Catch::Contains("\ninputs\n  fifo:/run/x: running\n    events 12, rejected 1"));
  CHECK_THAT(text, Catch::Contains("reloads: 1 ok, 1 failed; last error: bad db"));
  // A field this version does not know still shows.
  CHECK_THAT(text, Catch::Contains("future.steps: 7"));
  CHECK_THAT(text, !Catch::Contains("table.dump_time"));
}

TEST_CASE("ctl stats: no table yet says so", "[ctl][stats]") {
  auto doc = answer();
  doc["table"] = {{"source", ""}, {"format", "none"}, {"dump_time", 0}, {"prefixes", 0}};
  doc["as_names"] = 0;
  doc["inputs"] = nlohmann::json::array();
  std::string text = asncounter::ctl::stats_text(doc.dump(), kNow);
  INFO(text);
  CHECK_THAT(text, Catch::Contains("no table yet"));
  CHECK_THAT(text, Catch::Contains("AS names: none"));
  CHECK_THAT(text, Catch::Contains("inputs\n  none"));
}

TEST_CASE("ctl stats: ages are coarse and readable", "[ctl][stats]") {
  using asncounter::ctl::age_text;
  CHECK(age_text(42) == "42 s");
  CHECK(age_text(300) == "5 min");
  CHECK(age_text(3 * 3600 + 59) == "3 h");
  CHECK(age_text(5 * 86400) == "5 d");
  CHECK(asncounter::ctl::date_text(kNow) == "2026-11-30 09:00");
}

TEST_CASE("ctl stats: fields of unexpected types never throw", "[ctl][stats]") {
  auto doc = answer();
  doc["totals"]["has_bytes"] = "yes";
  doc["inputs"] = nlohmann::json::array({1, "x"});
  std::string text = asncounter::ctl::stats_text(doc.dump(), kNow);
  CHECK_FALSE(text.empty());
  CHECK(asncounter::ctl::stats_text("[1,2]", kNow) == "stats: malformed answer\n");
}
