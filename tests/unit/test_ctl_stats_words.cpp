// stats in words (issue 26): a table years old is flagged, and the history
// section is words, not raw keys.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "ctl/stats_text.hpp"

namespace {

constexpr std::int64_t kNow = 1796029200;  // 2026-11-30 09:00:00 UTC

nlohmann::json answer(std::int64_t dump_age) {
  return {{"version", "0.1.0"},
          {"protocol", 1},
          {"table",
           {{"source", "/data/ipasn_20140513.dat.gz"},
            {"format", "ipasn"},
            {"dump_time", kNow - dump_age},
            {"prefixes", 1000}}},
          {"history",
           {{"enabled", true},
            {"from", kNow - 3600},
            {"to", kNow},
            {"span_seconds", 3600.0},
            {"steps", 360},
            {"entries", 1200},
            {"bytes", 4096},
            {"snapshot_bytes", 2048},
            {"dropped_steps", 0},
            {"tiers",
             {{{"resolution", 10},
               {"span_seconds", 1260.0},
               {"steps", 126},
               {"entries", 900},
               {"bytes", 3072},
               {"dropped_steps", 234},
               {"folded_prefixes", 0}},
              {{"resolution", 3600},
               {"span_seconds", 604800.0},
               {"steps", 168},
               {"entries", 300},
               {"bytes", 1024},
               {"dropped_steps", 0},
               {"folded_prefixes", 5000}}}}}}};
}

}  // namespace

TEST_CASE("ctl stats: a table older than a few refreshes is flagged stale", "[ctl][stats][trust]") {
  std::string old = asncounter::ctl::stats_text(answer(12LL * 365 * 86400).dump(), kNow);
  INFO(old);
  CHECK_THAT(old, Catch::Contains("STALE: the routing table is 4380 d old"));
  std::string fresh = asncounter::ctl::stats_text(answer(6 * 3600).dump(), kNow);
  CHECK_THAT(fresh, !Catch::Contains("STALE"));
}

TEST_CASE("ctl stats: every section in words, the history included", "[ctl][stats][trust]") {
  std::string text = asncounter::ctl::stats_text(answer(3600).dump(), kNow);
  INFO(text);
  CHECK_THAT(text, Catch::Contains("history (time windows)\n  windows can reach back 60 min"));
  CHECK_THAT(text,
             Catch::Contains("360 steps, 1200 entries, 4 KiB (and 2 KiB of snapshots), 0 steps dropped"));
  CHECK_THAT(text, Catch::Contains(
                       "  steps of 10 s: 21 min held, 126 steps, 900 entries, 3 KiB, 234 steps dropped\n"));
  CHECK_THAT(text,
             Catch::Contains("  steps of 60 min: 7 d held, 168 steps, 300 entries, 1 KiB, 0 steps dropped, "
                             "5000 prefix entries folded into their ASN\n"));
  CHECK_THAT(text, !Catch::Contains("history.") && !Catch::Contains("\nmore\n"));
  auto off = answer(3600);
  off["history"] = {{"enabled", false}};
  CHECK_THAT(asncounter::ctl::stats_text(off.dump(), kNow), Catch::Contains("off: no --window answers"));
}

#include <sstream>

#include "ctl/table_warnings.hpp"

TEST_CASE("ctl top: every hit unrouted warns on stderr that no table may be loaded", "[ctl][trust]") {
  std::ostringstream err;
  CHECK(asncounter::ctl::warn_if_all_unrouted(
      R"({"rows":[{"count":5,"percent":"100.00","asn":null,"name":null}],"total":5})", err));
  CHECK_THAT(err.str(), Catch::Contains("warning: every hit is unrouted: no table loaded yet"));
  std::ostringstream quiet;
  CHECK_FALSE(asncounter::ctl::warn_if_all_unrouted(
      R"({"rows":[{"count":5,"percent":"50.00","asn":64496,"name":null},)"
      R"({"count":5,"percent":"50.00","asn":null,"name":null}],"total":10})",
      quiet));
  CHECK_FALSE(asncounter::ctl::warn_if_all_unrouted(R"({"rows":[],"total":0})", quiet));
  CHECK(quiet.str().empty());
}
