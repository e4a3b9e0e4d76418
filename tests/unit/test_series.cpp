// The `series` method's lines (daemon/rpc/series.hpp) from history steps.
#include <catch2/catch.hpp>

#include "common/ip.hpp"
#include "daemon/rpc/series.hpp"

using asncounter::PrefixRow;
using asncounter::SavedStep;
using asncounter::rpc::make_series;
using asncounter::rpc::SeriesLine;
using namespace std::chrono_literals;

namespace {

PrefixRow row(std::optional<std::uint32_t> asn, std::uint64_t hits, std::uint64_t bytes = 0) {
  return PrefixRow{std::nullopt, asn, {hits, bytes, 0, 0}};
}

// Three 10 s steps, oldest first: 64496 grows, 64497 steady, unrouted once.
std::vector<SavedStep> steps() {
  return {SavedStep{30000ms, 20000ms, {row(64496, 1, 10), row(64497, 5, 50)}},
          SavedStep{20000ms, 10000ms, {row(64496, 4, 40), row(64497, 5, 50), row(std::nullopt, 2)}},
          SavedStep{10000ms, 0ms, {row(64496, 9, 90), row(64497, 5, 50)}}};
}

}  // namespace

TEST_CASE("A series holds the total per step, oldest first", "[series]") {
  auto s = make_series(steps(), 3600s, std::nullopt, 0);
  REQUIRE(s.steps.size() == 3);
  CHECK(s.steps[0] == std::pair<double, double>(30.0, 20.0));
  REQUIRE(s.lines.size() == 1);
  CHECK(s.lines[0].kind == SeriesLine::Kind::total);
  CHECK(s.lines[0].hits == std::vector<std::uint64_t>{6, 11, 14});
  CHECK(s.lines[0].bytes == std::vector<std::uint64_t>{60, 90, 140});
}

TEST_CASE("A series of one ASN shows it beside the total, zeros where it had none", "[series]") {
  auto s = make_series(steps(), 3600s, 64499U, 0);
  REQUIRE(s.lines.size() == 2);
  CHECK(s.lines[1].asn == 64499U);
  CHECK(s.lines[1].hits == std::vector<std::uint64_t>{0, 0, 0});
  s = make_series(steps(), 3600s, 64496U, 0);
  CHECK(s.lines[1].hits == std::vector<std::uint64_t>{1, 4, 9});
}

TEST_CASE("The top N of the window and the rest as other add up to the total", "[series]") {
  auto s = make_series(steps(), 3600s, std::nullopt, 1);
  REQUIRE(s.lines.size() == 3);
  CHECK(s.lines[1].asn == 64497U);  // 15 hits in the window against 14
  CHECK(s.lines[2].kind == SeriesLine::Kind::other);
  for (std::size_t i = 0; i < 3; ++i) CHECK(s.lines[1].hits[i] + s.lines[2].hits[i] == s.lines[0].hits[i]);
}

TEST_CASE("Only the steps that start within the window are kept", "[series]") {
  auto s = make_series(steps(), 20s, std::nullopt, 0);
  REQUIRE(s.steps.size() == 2);
  CHECK(s.lines[0].hits == std::vector<std::uint64_t>{11, 14});
}
