// The history-tiers option (daemon/config/history_tiers.*).
#include <catch2/catch.hpp>

#include <utility>
#include <vector>

#include "daemon/config/history_tiers.hpp"

using asncounter::parse_history_tiers;
using Tiers = std::vector<std::pair<unsigned, unsigned>>;

TEST_CASE("history-tiers reads RES:SPAN pairs, finest first, in any duration unit", "[options][history]") {
  auto d = parse_history_tiers("1m:1d,1h:7d");
  REQUIRE(d);
  CHECK(*d == Tiers{{60, 86400}, {3600, 604800}});
  auto three = parse_history_tiers("60:3600,300s:2d,1d:90d");
  REQUIRE(three);
  CHECK(*three == Tiers{{60, 3600}, {300, 172800}, {86400, 7776000}});
  auto none = parse_history_tiers("");
  REQUIRE(none);
  CHECK(none->empty());
}

TEST_CASE("history-tiers refuses what is not a tier, naming the part", "[options][history]") {
  auto error_of = [](const char* text) {
    auto r = parse_history_tiers(text);
    REQUIRE_FALSE(r);
    return r.error();
  };
  CHECK(error_of("1m") == "'1m' is not RESOLUTION:SPAN (as in 1m:1d)");
  CHECK(error_of("1m:1d,") == "'' is not RESOLUTION:SPAN (as in 1m:1d)");
  CHECK(error_of("0:1d") == "'0:1d' is not RESOLUTION:SPAN (as in 1m:1d)");
  CHECK(error_of("1x:1d") == "'1x:1d' is not RESOLUTION:SPAN (as in 1m:1d)");
  CHECK(error_of("1h:1m") == "'1h:1m' spans less than one of its steps");
  CHECK(error_of("1h:1d,1m:7d") == "'1m:7d' is not coarser than the tier before it");
  CHECK(error_of("1m:1d,90s:7d") == "'90s:7d': a resolution must be a multiple of the one before it");
  CHECK(error_of("1:9,2:9,4:9,8:9,16:99,32:99,64:999,128:999,256:999") == "more than 8 tiers");
}
