#include <catch2/catch.hpp>
#include <string>

#include "daemon/mitigate/rule.hpp"

using asncounter::mitigate::Measure;
using asncounter::mitigate::parse_rule;
using asncounter::mitigate::parse_rules;
using asncounter::mitigate::Scope;
using namespace std::chrono_literals;

namespace {

// The error of `text`, which must be refused.
std::string refusal(const std::string& text, std::chrono::seconds span = 86400s) {
  auto r = parse_rule(text, span);
  REQUIRE_FALSE(r);
  return r.error();
}

}  // namespace

TEST_CASE("the issue's three example rules parse", "[mitigate]") {
  auto a = parse_rule("asn hits over 60s above 5000 ban 10m", 86400s);
  REQUIRE(a);
  CHECK(a->scope == Scope::asn);
  CHECK(a->measure == Measure::hits);
  CHECK(a->window == 60s);
  CHECK(a->threshold == 5000);
  CHECK(a->ban == 600s);

  auto b = parse_rule("prefix bytes over 10s above 100M ban 1h", 86400s);
  REQUIRE(b);
  CHECK(b->scope == Scope::prefix);
  CHECK(b->measure == Measure::bytes);
  CHECK(b->threshold == 100000000);
  CHECK(b->ban == 3600s);

  auto c = parse_rule("asn   share over 300s above 30% ban 30m", 86400s);
  REQUIRE(c);
  CHECK(c->measure == Measure::share);
  CHECK(c->threshold == 3000);
  CHECK(c->text == "asn share over 300s above 30% ban 30m");  // spaces collapsed: its label
}

TEST_CASE("thresholds take k, M, G and fractional percentages", "[mitigate]") {
  CHECK(parse_rule("asn hits over 1m above 2k ban 1m", 86400s)->threshold == 2000);
  CHECK(parse_rule("asn bytes over 1m above 3G ban 1m", 86400s)->threshold == 3000000000);
  CHECK(parse_rule("asn share over 1m above 2.5% ban 1m", 86400s)->threshold == 250);
  CHECK(parse_rule("asn share over 1m above 0.25% ban 1m", 86400s)->threshold == 25);
}

TEST_CASE("a bad rule is refused with the column of the bad word", "[mitigate]") {
  CHECK(refusal("") == "column 1: expected a scope (asn or prefix) here, the rule ends");
  CHECK(refusal("country hits over 60s above 5 ban 1m") ==
        "column 1: unknown scope 'country' (asn or prefix)");
  CHECK(refusal("asn packets over 60s above 5 ban 1m") ==
        "column 5: unknown measure 'packets' (hits, bytes or share)");
  CHECK(refusal("asn hits during 60s above 5 ban 1m") == "column 10: expected 'over', not 'during'");
  CHECK(refusal("asn hits over 60x above 5 ban 1m") ==
        "column 15: the window must be a duration (90s, 5m, 1h, 1d), not '60x'");
  CHECK(refusal("asn hits over 2d above 5 ban 1m", 86400s) ==
        "column 15: the window 2d is longer than history-span (86400s)");
  CHECK(refusal("asn hits over 0s above 5 ban 1m") == "column 15: the window must be positive, not 0s");
  CHECK(refusal("asn hits over 60s above lots ban 1m") ==
        "column 25: the threshold must be a number with an optional k, M or G, not 'lots'");
  CHECK(refusal("asn hits over 60s above 5% ban 1m") ==
        "column 25: a percentage is a threshold of share only, not '5%'");
  CHECK(refusal("asn share over 60s above 5 ban 1m") ==
        "column 26: a share threshold is a percentage such as 30%, not '5'");
  CHECK(refusal("asn share over 60s above 100% ban 1m") ==
        "column 26: a share threshold must be under 100%, not '100%'");
  CHECK(refusal("asn hits over 60s above 5 ban 0m") == "column 31: the ban must be positive, not 0m");
  CHECK(refusal("asn hits over 60s above 5 ban -5m") == "column 31: the ban must be positive, not -5m");
  CHECK(refusal("asn hits over -60s above 5 ban 5m") == "column 15: the window must be positive, not -60s");
  CHECK(refusal("asn hits over 60s above 5 ban") ==
        "column 30: expected a ban duration (10m, 1h) here, the rule ends");
  CHECK(refusal("asn hits over 60s above 5 ban 5m please") == "column 34: unexpected 'please' after the ban");
  CHECK(
      refusal("asn hits over 60s above 99999999999999999999 ban 5m").starts_with("column 25: the threshold"));
}

TEST_CASE("parse_rules names the rule that is wrong", "[mitigate]") {
  auto r = parse_rules({"asn hits over 60s above 5 ban 1m", "asn hitz over 60s above 5 ban 1m"}, 3600s);
  REQUIRE_FALSE(r);
  CHECK(
      r.error() ==
      "mitigate rule 2 'asn hitz over 60s above 5 ban 1m': column 5: unknown measure 'hitz' (hits, bytes or "
      "share)");
  CHECK(parse_rules({}, 3600s)->empty());
}
