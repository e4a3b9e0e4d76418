// The history's coarse tiers (daemon/store/history_tiers.cpp): a coarse
// step keeps its heaviest prefixes and sums the rest per ASN, so ASNs and
// totals stay exact and a prefix answer says how far it may be off; the
// tiers survive a table swap and come back from the history file exactly.
#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "daemon/store/counter_store.hpp"
#include "daemon/store/history_file.hpp"
#include "tests/support/addresses.hpp"
#include "tests/support/feed.hpp"
#include "tests/support/tables.hpp"
#include "tests/support/test_support.hpp"

namespace {

using asncounter::CounterStore;
using asncounter::Counts;
using asncounter::HistoryConfig;
using asncounter::MonoTime;
using asncounter::Window;
using asncounter::test::feed;
using asncounter::test::pfx;
using asncounter::test::table_of;
using std::chrono::seconds;

MonoTime at(long s) { return MonoTime{} + seconds(1000000 + s); }

// Steps of 10 s kept for 20 s, then 1-minute steps keeping one prefix each.
HistoryConfig one_prefix_minutes() {
  HistoryConfig c;
  c.step = seconds(10);
  c.recent = seconds(20);
  c.span = seconds(3600);
  c.tiers = {{seconds(60), seconds(3600)}};
  c.top_prefixes = 1;
  return c;
}

std::shared_ptr<const asncounter::LpmTable> doc_table() {
  return table_of({{"192.0.2.0/24", 64496}, {"198.51.100.0/24", 64496}, {"203.0.113.0/24", 64497}});
}

// In the first minute: 30 hits on 192.0.2.0/24, 5 on 198.51.100.0/24 (both
// AS64496), 3 on 203.0.113.0/24 (AS64497), 100 bytes each; then two quiet steps.
void first_minute(CounterStore& s) {
  feed(s, "192.0.2.1", 30, 100);
  feed(s, "198.51.100.1", 5, 100);
  feed(s, "203.0.113.1", 3, 100);
  for (long t = 10; t <= 80; t += 10) s.close_step(at(t));
}

std::map<std::uint32_t, Counts> asns(const CounterStore& s, long length, MonoTime now) {
  std::map<std::uint32_t, Counts> out;
  for (const auto& r : s.top_asns(0, Window{seconds(length), now}).table.rows)
    out[r.asn.value_or(0)] = r.counts;
  return out;
}

std::map<std::string, std::uint64_t> prefixes(const CounterStore& s, long length, MonoTime now) {
  std::map<std::string, std::uint64_t> out;
  for (const auto& r : s.top_prefixes(0, std::nullopt, Window{seconds(length), now}).table.rows)
    out[r.prefix ? asncounter::to_string(*r.prefix) : "-"] = r.counts.hits;
  return out;
}

void check_first_minute(const CounterStore& s, MonoTime now) {
  // 80 s back: only the minute tier covers it.
  CHECK(asns(s, 80, now) ==
        std::map<std::uint32_t, Counts>{{64496, {35, 3500, 0, 0}}, {64497, {3, 300, 0, 0}}});
  auto p = s.top_prefixes(0, std::nullopt, Window{seconds(80), now});
  REQUIRE(p.window);
  CHECK(p.window->resolution == seconds(60));
  CHECK(p.window->prefix_error == Counts{5, 500, 0, 0});  // the heaviest prefix folded
  CHECK(p.table.total.hits == 38);                        // every hit, folded or not
  CHECK(prefixes(s, 80, now) == std::map<std::string, std::uint64_t>{{"192.0.2.0/24", 30}});
  auto one = s.asn_summary(64496, Window{seconds(80), now});
  CHECK(one.counts.hits == 35);
  CHECK(one.rank == 1);
  CHECK(one.prefixes.rows.size() == 1);
  // 20 s back: the recent steps, exact and empty.
  auto recent = s.top_prefixes(0, std::nullopt, Window{seconds(20), now});
  CHECK(recent.window->resolution == seconds(10));
  CHECK(recent.window->prefix_error == Counts{});
  CHECK(recent.table.rows.empty());
}

}  // namespace

TEST_CASE(
    "a coarse step keeps its heaviest prefixes exact and every ASN exact, and says how far prefixes may be "
    "off",
    "[store][history][tiers]") {
  CounterStore store(doc_table(), 2, one_prefix_minutes(), at(0));
  first_minute(store);
  check_first_minute(store, at(80));
  auto h = store.stats().history;
  REQUIRE(h.tiers.size() == 2);
  CHECK(h.tiers[0].steps == 2);
  CHECK(h.tiers[1].steps == 1);
  CHECK(h.tiers[1].folded == 2);
  // The series of the window reads the same tier: one step per ASN, exact.
  auto series = store.export_history(at(80), seconds(80));
  REQUIRE(series.size() == 2);  // the minute closed, and the one being filled (quiet)
  CHECK(series[1].rows.empty());
  std::map<std::uint32_t, std::uint64_t> by_asn;
  for (const auto& r : series[0].rows) by_asn[r.asn.value_or(0)] += r.counts.hits;
  CHECK(by_asn == std::map<std::uint32_t, std::uint64_t>{{64496, 35}, {64497, 3}});
}

TEST_CASE("a coarse tier's steps keep their prefixes and ASNs across a table swap",
          "[store][history][tiers]") {
  CounterStore store(doc_table(), 2, one_prefix_minutes(), at(0));
  first_minute(store);
  // The next table splits 192.0.2.0/24 and moves 203.0.113.0/24 to another ASN.
  store.set_table(table_of({{"192.0.2.0/25", 64499},
                            {"192.0.2.0/24", 64496},
                            {"198.51.100.0/24", 64496},
                            {"203.0.113.0/24", 64500}}));
  check_first_minute(store, at(80));
  feed(store, "203.0.113.1", 4, 100);  // counted under the new ASN
  CHECK(asns(store, 90, at(85))[64500].hits == 4);
  CHECK(asns(store, 90, at(85))[64497].hits == 3);
}

TEST_CASE("history file: every tier comes back exactly, the steps being filled too",
          "[store][history][tiers][state]") {
  asncounter::test::TempDir dir;
  CounterStore before(doc_table(), 2, one_prefix_minutes(), at(0));
  first_minute(before);
  feed(before, "198.51.100.1", 9, 100);  // in the minute being filled
  before.close_step(at(90));
  auto written = asncounter::save_history_file(dir.path().string(),
                                               before.export_history_image(at(90), 1'800'000'000'000));
  REQUIRE(written);
  CounterStore after(doc_table(), 2, one_prefix_minutes(), at(0));
  auto read = after.import_history_file(asncounter::history_path(dir.path().string()), 1'800'000'000'000);
  REQUIRE(read);
  CHECK(read->damage.empty());
  CHECK(read->steps == written->steps);
  // No downtime: the windows counted back from the save answer as before it.
  CHECK(asns(after, 90, at(0)) == asns(before, 90, at(90)));
  CHECK(prefixes(after, 90, at(0)) == prefixes(before, 90, at(90)));
  auto p = after.top_prefixes(0, std::nullopt, Window{seconds(90), at(0)});
  CHECK(p.window->resolution == seconds(60));
  CHECK(p.window->prefix_error == Counts{5, 500, 0, 0});
  CHECK(asns(after, 90, at(0))[64496].hits == 44);
  // The restart's first step closes the minute being filled (buckets follow the new start).
  feed(after, "198.51.100.1", 1, 100);
  for (long t = 10; t <= 30; t += 10) after.close_step(at(t));
  CHECK(after.stats().history.tiers[1].steps == 2);
  CHECK(asns(after, 200, at(30))[64496].hits == 45);
}

TEST_CASE(
    "a window over most of a coarse tier, read from the tier's sum less its oldest steps, equals its steps "
    "added",
    "[store][history][tiers]") {
  // Minute steps kept for 10 minutes; 15 minutes fed, so the oldest age out
  // and the tier's sum must follow them.
  HistoryConfig c = one_prefix_minutes();
  c.tiers = {{seconds(60), seconds(600)}};
  c.span = seconds(600);
  CounterStore store(doc_table(), 2, c, at(0));
  std::map<std::uint32_t, std::uint64_t> fed;
  for (long m = 0; m < 15; ++m) {
    feed(store, "192.0.2.1", static_cast<std::uint32_t>(m + 1), 100);
    feed(store, "203.0.113.1", static_cast<std::uint32_t>(m % 3), 100);
    for (long t = 10; t <= 60; t += 10) store.close_step(at(60 * m + t));
  }
  const MonoTime now = at(900);
  REQUIRE(store.stats().history.tiers[1].steps >= 8);
  for (long length = 60; length <= 600; length += 60) {
    // What the window's steps hold, one by one (the series gives the tier's
    // steps, the window those that start in it).
    std::map<std::uint32_t, Counts> stepwise;
    for (const auto& step : store.export_history(now, seconds(length)))
      if (step.age_from <= seconds(length))
        for (const auto& r : step.rows) stepwise[r.asn.value_or(0)] += r.counts;
    INFO("window " << length << " s");
    CHECK(asns(store, length, now) == stepwise);
    CHECK(store.top_prefixes(0, std::nullopt, Window{seconds(length), now}).window->resolution ==
          seconds(60));
  }
  // The whole span, by hand: minutes 5-14 (the tier's ten), less nothing.
  std::uint64_t hits = 0;
  for (long m = 5; m < 15; ++m) hits += static_cast<std::uint64_t>(m + 1);
  CHECK(asns(store, 600, now)[64496].hits == hits);
}
