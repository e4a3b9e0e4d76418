#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "common/table/lpm_table.hpp"
#include "daemon/store/counter_store.hpp"
#include "tests/support/addresses.hpp"
#include "tests/support/feed.hpp"
#include "tests/support/tables.hpp"

using asncounter::Address;
using asncounter::AsnTable;
using asncounter::CounterStore;
using asncounter::Counts;
using asncounter::EventBatch;
using asncounter::HistoryConfig;
using asncounter::LpmTable;
using asncounter::MonoTime;
using asncounter::Prefix;
using asncounter::PrefixTable;
using asncounter::Route;
using asncounter::Window;
using std::chrono::seconds;

namespace {

using asncounter::test::addr;
using asncounter::test::feed;
using asncounter::test::pfx;

const auto table = asncounter::test::table_of;

/// A fake monotonic clock: seconds since an arbitrary origin.
MonoTime at(long s) { return MonoTime{} + seconds(1000000 + s); }

/// Closes a step every 10 s from `from` to `to` (both included).
void close_steps(CounterStore& store, long from, long to) {
  for (long t = from; t <= to; t += 10) store.close_step(at(t));
}

std::map<std::optional<std::uint32_t>, Counts> by_asn(const AsnTable& t) {
  std::map<std::optional<std::uint32_t>, Counts> m;
  for (const auto& r : t.rows) m[r.asn] = r.counts;
  return m;
}

std::map<std::pair<std::optional<Prefix>, std::optional<std::uint32_t>>, std::uint64_t> by_prefix(
    const PrefixTable& t) {
  std::map<std::pair<std::optional<Prefix>, std::optional<std::uint32_t>>, std::uint64_t> m;
  for (const auto& r : t.rows) m[{r.prefix, r.asn}] = r.counts.hits;
  return m;
}

HistoryConfig config() {
  HistoryConfig c;
  c.step = seconds(10);
  c.span = seconds(86400);
  return c;
}

}  // namespace

TEST_CASE("a window covering only stream B returns B exactly, since start A plus B", "[store][history]") {
  CounterStore store(table({{"192.0.2.0/24", 64496}, {"198.51.100.0/24", 64497}, {"203.0.113.0/24", 64498}}),
                     4, config(), at(0));
  // Stream A, then steps go by, then stream B.
  feed(store, "192.0.2.1", 700, 10);
  feed(store, "198.51.100.1", 300, 20);
  feed(store, "10.0.0.1", 5, 1);  // unrouted
  close_steps(store, 10, 100);
  feed(store, "198.51.100.2", 40, 3);
  feed(store, "203.0.113.9", 600, 1);
  store.close_step(at(110));
  feed(store, "203.0.113.9", 2, 1);  // in the step in progress: in every window

  auto w = store.top_asns(0, Window{seconds(30), at(115)});
  REQUIRE(w.window);
  // The step in progress (110-115) and the whole steps starting at 85 or later.
  CHECK(w.window->from == at(90));
  CHECK(w.window->to == at(115));
  CHECK_FALSE(w.window->clipped);
  auto m = by_asn(w.table);
  CHECK(m.size() == 2);
  CHECK(m[64497u] == Counts{40, 120, 0, 0});
  CHECK(m[64498u] == Counts{602, 602, 0, 0});
  CHECK(w.table.total.hits == 642);
  CHECK(w.table.rows[0].asn == 64498u);

  auto all = by_asn(store.top_asns(0));
  CHECK(all[64496u] == Counts{700, 7000, 0, 0});
  CHECK(all[64497u] == Counts{340, 6120, 0, 0});
  CHECK(all[64498u].hits == 602);
  CHECK(all[std::nullopt].hits == 5);

  auto p = store.top_prefixes(0, std::nullopt, Window{seconds(30), at(115)});
  auto pm = by_prefix(p.table);
  CHECK(pm.size() == 2);
  CHECK(pm[{pfx("198.51.100.0/24"), 64497u}] == 40);
  CHECK(pm[{pfx("203.0.113.0/24"), 64498u}] == 602);
  CHECK(p.table.total.hits == 642);

  // A window covering A too gives A+B, like since start.
  auto both = store.top_asns(0, Window{seconds(200), at(115)});
  CHECK(by_asn(both.table) == by_asn(store.top_asns(0)));
  CHECK(both.window->clipped);  // the store is 115 s old
  CHECK(both.window->from == at(0));

  auto one = store.asn_summary(64497, Window{seconds(30), at(115)});
  CHECK(one.counts.hits == 40);
  CHECK(one.rank == 2);
  CHECK(one.total.hits == 642);
  REQUIRE(one.prefixes.rows.size() == 1);
  CHECK(one.prefixes.rows[0].counts.hits == 40);
  CHECK(store.asn_summary(64496, Window{seconds(30), at(115)}).rank == 0);
  CHECK(store.asn_summary(64496, Window{}).counts.hits == 700);
}

TEST_CASE("a window is whole steps, and the step in progress alone when shorter", "[store][history]") {
  CounterStore store(table({{"192.0.2.0/24", 64496}}), 2, config(), at(0));
  feed(store, "192.0.2.1", 3);
  store.close_step(at(10));
  feed(store, "192.0.2.1", 4);
  store.close_step(at(20));
  feed(store, "192.0.2.1", 5);
  auto w = store.top_asns(0, Window{seconds(5), at(27)});
  CHECK(w.window->from == at(20));
  CHECK(w.table.total.hits == 5);
  w = store.top_asns(0, Window{seconds(17), at(27)});  // 10..27: the step 10..20 starts inside
  CHECK(w.window->from == at(10));
  CHECK(w.table.total.hits == 9);
  w = store.top_asns(0, Window{seconds(16), at(27)});  // 11..27: it does not
  CHECK(w.table.total.hits == 5);
  CHECK_FALSE(w.window->clipped);
  // No window: since start, and no interval.
  CHECK_FALSE(store.top_asns(0, Window{seconds(0), at(27)}).window);
  // A clock that stands still or goes back closes nothing and loses nothing.
  store.close_step(at(20));
  store.close_step(at(15));
  CHECK(store.stats().history.steps == 2);
  CHECK(store.top_asns(0, Window{seconds(5), at(27)}).table.total.hits == 5);
}

TEST_CASE("a clock jump never loses or double-counts a hit: steps follow the clock the store is given",
          "[store][history]") {
  // The daemon gives the store steady_clock times only, so a wall clock
  // jump never reaches it; what it can see is a monotonic clock that runs
  // far ahead at once (a suspended host) or a caller that asks with a stale time.
  CounterStore store(table({{"192.0.2.0/24", 64496}}), 2, config(), at(0));
  feed(store, "192.0.2.1", 3);
  store.close_step(at(10));
  feed(store, "192.0.2.1", 4);
  store.close_step(at(3610));  // an hour at once: one step, 10..3610, holds the 4
  feed(store, "192.0.2.1", 5);
  store.close_step(at(3000));  // back: closes nothing
  store.close_step(at(3610));  // the same time again: nothing either
  feed(store, "192.0.2.1", 6);
  // Two steps: the first ([0, 10)) left the recent hour; the coarse tiers hold both.
  CHECK(store.stats().history.tiers.at(0).steps == 1);
  CHECK(store.stats().history.tiers.at(1).steps == 1);
  CHECK(store.top_asns(0).total.hits == 18);
  auto now = store.top_asns(0, Window{seconds(1), at(3615)});
  CHECK(now.table.total.hits == 11);  // the step in progress: 5 + 6
  CHECK(now.window->from == at(3610));
  auto hour = store.top_asns(0, Window{seconds(3605), at(3615)});
  CHECK(hour.table.total.hits == 15);
  CHECK(hour.window->from == at(10));
  CHECK(store.top_asns(0, Window{seconds(86400), at(3615)}).table.total.hits == 18);
  // A query with a time before the last close is answered as of that close.
  auto stale = store.top_asns(0, Window{seconds(1), at(100)});
  CHECK(stale.table.total.hits == 11);
  CHECK(stale.window->to == at(3610));
}

TEST_CASE("a table swap between streams keeps each hit's prefix and ASN in every window",
          "[store][history]") {
  CounterStore store(table({{"10.0.0.0/8", 1}, {"20.0.0.0/8", 2}, {"30.0.0.0/8", 3}}), 4, config(), at(0));
  feed(store, "10.1.1.1", 100);
  feed(store, "20.1.1.1", 50);
  feed(store, "30.1.1.1", 7);
  close_steps(store, 10, 60);
  // A swap in the middle of a step: 10/8 changes origin, 30/8 goes away, 40/8 comes.
  feed(store, "10.1.1.1", 11);
  store.set_table(table({{"10.0.0.0/8", 9}, {"20.0.0.0/8", 2}, {"40.0.0.0/8", 4}}));
  feed(store, "10.1.1.1", 13);
  feed(store, "40.1.1.1", 17);
  store.close_step(at(70));
  feed(store, "20.1.1.1", 19);
  feed(store, "10.1.1.1", 23);

  auto only_last = by_asn(store.top_asns(0, Window{seconds(10), at(75)}).table);
  CHECK(only_last.size() == 2);
  CHECK(only_last[2u].hits == 19);
  CHECK(only_last[9u].hits == 23);

  auto recent = by_asn(store.top_asns(0, Window{seconds(20), at(75)}).table);
  CHECK(recent[1u].hits == 11);  // counted before the swap
  CHECK(recent[9u].hits == 36);
  CHECK(recent[4u].hits == 17);
  CHECK(recent[2u].hits == 19);
  CHECK(recent.size() == 4);

  auto all = store.top_asns(0, Window{seconds(1000), at(75)});
  CHECK(by_asn(all.table) == by_asn(store.top_asns(0)));
  CHECK(all.table.total.hits == 100 + 50 + 7 + 11 + 13 + 17 + 19 + 23);
  auto pm = by_prefix(store.top_prefixes(0, std::nullopt, Window{seconds(1000), at(75)}).table);
  CHECK(pm[{pfx("10.0.0.0/8"), 1u}] == 111);
  CHECK(pm[{pfx("10.0.0.0/8"), 9u}] == 36);
  CHECK(pm[{pfx("30.0.0.0/8"), 3u}] == 7);
  CHECK(pm[{pfx("40.0.0.0/8"), 4u}] == 17);

  // The old table comes back: its keys join its ids again, nothing doubles.
  store.set_table(table({{"10.0.0.0/8", 1}, {"20.0.0.0/8", 2}, {"30.0.0.0/8", 3}}));
  feed(store, "30.1.1.1", 1);
  store.close_step(at(80));
  auto back = store.top_prefixes(0, std::nullopt, Window{seconds(1000), at(80)});
  auto bm = by_prefix(back.table);
  CHECK(bm[{pfx("30.0.0.0/8"), 3u}] == 8);
  CHECK(bm[{pfx("10.0.0.0/8"), 9u}] == 36);
  CHECK(back.table.total.hits == all.table.total.hits + 1);
  CHECK(by_prefix(store.top_prefixes(0)) == bm);
}

TEST_CASE("reset clears the history", "[store][history]") {
  CounterStore store(table({{"192.0.2.0/24", 64496}}), 2, config(), at(0));
  feed(store, "192.0.2.1", 30, 5);
  close_steps(store, 10, 50);
  feed(store, "192.0.2.1", 4, 5);
  REQUIRE(store.stats().history.steps == 5);
  store.reset();
  CHECK(store.stats().history.steps == 0);
  CHECK(store.top_asns(0, Window{seconds(3600), at(55)}).table.rows.empty());
  feed(store, "192.0.2.1", 2, 5);
  store.close_step(at(60));
  feed(store, "192.0.2.1", 1, 5);
  auto w = store.top_asns(0, Window{seconds(3600), at(65)});
  CHECK(w.table.total == Counts{3, 15, 0, 0});
  CHECK(store.top_asns(0).total == Counts{3, 15, 0, 0});
}

TEST_CASE("reset keeping the history zeroes since start and leaves every window as it was",
          "[store][history]") {
  CounterStore store(table({{"192.0.2.0/24", 64496}, {"198.51.100.0/24", 64497}}), 2, config(), at(0));
  feed(store, "192.0.2.1", 30, 5);
  close_steps(store, 10, 50);
  feed(store, "198.51.100.1", 4, 7);  // the step in progress: it must stay in the windows too
  const auto before = by_asn(store.top_asns(0, Window{seconds(3600), at(55)}).table);
  REQUIRE(before.at(64496) == Counts{30, 150, 0, 0});
  REQUIRE(before.at(64497) == Counts{4, 28, 0, 0});

  store.reset_keeping_history(at(55));
  CHECK(store.top_asns(0).rows.empty());
  CHECK(store.top_asns(0).total == Counts{});
  CHECK(by_asn(store.top_asns(0, Window{seconds(3600), at(56)}).table) == before);
  CHECK(by_asn(store.top_asns(0, Window{seconds(3600), at(59)}).table) == before);

  // New hits go to both, and the old steps age out of short windows as usual.
  feed(store, "192.0.2.1", 2, 5);
  store.close_step(at(60));
  auto after = by_asn(store.top_asns(0, Window{seconds(3600), at(61)}).table);
  CHECK(after.at(64496) == Counts{32, 160, 0, 0});
  CHECK(after.at(64497) == Counts{4, 28, 0, 0});
  CHECK(store.top_asns(0).total == Counts{2, 10, 0, 0});
  CHECK(store.top_asns(0, Window{seconds(6), at(61)}).table.total ==
        Counts{2, 10, 0, 0});  // the step 55-60 alone
}

namespace {

// Two batches of random hits over `t`'s 4096 prefixes every 10 s for two hours.
std::uint64_t two_hours(CounterStore& store, const std::function<void()>& after_close = {}) {
  std::mt19937 rng(5);
  std::uint64_t fed = 0;
  EventBatch b;
  for (long s = 10; s <= 7200; s += 10) {
    for (int k = 0; k < 2; ++k) {
      b.clear();
      while (!b.full())
        b.push(Address::from_v4(0x0A000000U + (static_cast<std::uint32_t>(rng() % 4096) << 8)), 1,
               100 + rng() % 1400);
      store.add(b);
      fed += b.size;
    }
    store.close_step(at(s));
    if (after_close) after_close();
  }
  return fed;
}

}  // namespace

TEST_CASE("coarse tiers hold older steps, exact per ASN, and the cap takes from the finer tiers first",
          "[store][history]") {
  std::vector<Route> routes;
  for (std::uint32_t i = 0; i < 4096; ++i)
    routes.push_back(Route{Prefix{Address::from_v4(0x0A000000U + (i << 8)), 24}, 1 + i % 100});
  auto t = LpmTable::build(routes, asncounter::TableInfo{"test", 0, {}, 0});
  HistoryConfig c;
  c.step = seconds(10);
  c.recent = seconds(600);
  c.span = seconds(86400);
  c.tiers = {{seconds(60), seconds(3600)}, {seconds(300), seconds(86400)}};
  c.top_prefixes = 200;
  CounterStore store(t, 2, c, at(0));
  const std::uint64_t fed = two_hours(store);
  auto h = store.stats().history;
  // 720 steps closed: 60 of 10 s for the last 10 min, 60 of 1 min for the last hour, 24 of 5 min.
  REQUIRE(h.tiers.size() == 3);
  CHECK(h.tiers[0].steps == 60);
  CHECK(h.tiers[1].steps == 60);
  CHECK(h.tiers[2].steps == 24);
  CHECK(h.tiers[1].folded > 0);
  CHECK(h.dropped_steps == 0);
  // Two hours: the 5-minute tier, every ASN exact though prefixes were folded.
  auto all = store.top_asns(0, Window{seconds(7200), at(7200)});
  CHECK(all.table.total.hits == fed);
  CHECK(by_asn(all.table) == by_asn(store.top_asns(0)));
  CHECK(all.window->from == at(0));
  CHECK(all.window->resolution == seconds(300));
  CHECK(all.window->prefix_error.hits > 0);
  // A prefix answer is never above the truth, and at most prefix_error below it.
  auto exact = store.top_prefixes(0, std::nullopt, Window{});
  auto coarse = store.top_prefixes(0, std::nullopt, Window{seconds(7200), at(7200)});
  CHECK(coarse.table.total.hits == fed);
  std::map<std::optional<Prefix>, std::uint64_t> truth;
  for (const auto& r : exact.table.rows) truth[r.prefix] = r.counts.hits;
  std::size_t short_rows = 0;
  for (const auto& r : coarse.table.rows) {
    CHECK(r.counts.hits <= truth[r.prefix]);
    CHECK(truth[r.prefix] - r.counts.hits <= coarse.window->prefix_error.hits);
    short_rows += r.counts.hits < truth[r.prefix];
    truth.erase(r.prefix);
  }
  for (const auto& [p, hits] : truth)
    CHECK(hits <= coarse.window->prefix_error.hits);  // folded away entirely
  INFO(short_rows << " prefixes short, " << truth.size() << " folded away");
  CHECK(coarse.table.rows.size() < exact.table.rows.size());
  // 40 minutes: the 1-minute tier, aligned on its minutes; 5 minutes: the recent steps, exact.
  auto w = store.top_asns(0, Window{seconds(2400), at(7200)});
  CHECK(w.window->resolution == seconds(60));
  CHECK((w.window->from - at(0)) % seconds(60) == seconds(0));
  auto recent = store.top_prefixes(0, std::nullopt, Window{seconds(300), at(7200)});
  CHECK(recent.window->resolution == seconds(10));
  CHECK(recent.window->prefix_error.hits == 0);

  // A cap half of what it holds: the finer tiers lose their oldest steps,
  // the coarsest keeps the whole span, and ASN counts stay exact.
  HistoryConfig capped = c;
  capped.max_bytes = h.bytes / 2;
  CounterStore small(t, 2, capped, at(0));
  two_hours(small, [&] { REQUIRE(small.stats().history.bytes <= capped.max_bytes); });
  auto sh = small.stats().history;
  CHECK(sh.tiers[0].dropped_steps + sh.tiers[1].dropped_steps > 0);
  CHECK(sh.tiers[2].dropped_steps == 0);
  CHECK(sh.from == at(0));
  auto held = small.top_asns(0, Window{seconds(7200), at(7200)});
  CHECK_FALSE(held.window->clipped);
  CHECK(by_asn(held.table) == by_asn(small.top_asns(0)));
}

TEST_CASE("steps older than the span are dropped", "[store][history]") {
  HistoryConfig c = config();
  c.span = seconds(60);
  c.tiers.clear();
  CounterStore store(table({{"192.0.2.0/24", 64496}}), 1, c, at(0));
  for (long s = 10; s <= 200; s += 10) {
    feed(store, "192.0.2.1", 1);
    store.close_step(at(s));
  }
  auto h = store.stats().history;
  CHECK(h.steps == 6);
  CHECK(h.from == at(140));
  auto w = store.top_asns(0, Window{seconds(1000), at(200)});
  CHECK(w.window->clipped);
  CHECK(w.table.total.hits == 6);
}

TEST_CASE("writers, step closes and table swaps at once: every hit in exactly one step", "[store][history]") {
  auto t1 = table({{"10.0.0.0/8", 1}, {"20.0.0.0/8", 2}, {"30.0.0.0/8", 3}});
  auto t2 = table({{"10.0.0.0/8", 9}, {"20.0.0.0/8", 2}, {"40.0.0.0/8", 4}});
  CounterStore store(t1, 4, config(), at(0));
  const std::vector<Address> pool = {addr("10.0.0.1"), addr("20.0.0.1"), addr("30.0.0.1"), addr("40.0.0.1"),
                                     addr("50.0.0.1")};
  constexpr int kWriters = 3;
  std::atomic<int> finished{0};
  std::atomic<std::uint64_t> sent{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      std::mt19937 rng(static_cast<unsigned>(w));
      EventBatch b;
      for (int i = 0; i < 2000; ++i) {
        b.clear();
        b.has_bytes = true;
        while (!b.full()) b.push(pool[rng() % pool.size()], 1, 3);
        store.add(b);
        sent += b.size;
      }
      ++finished;
    });
  }
  long now = 0;
  for (int i = 0; i < 20 || finished < kWriters; ++i) {
    now += 10;
    store.close_step(at(now));
    if (i % 7 == 3) store.set_table(i % 2 ? t1 : t2);
    auto w = store.top_asns(3, Window{seconds(60), at(now + 1)});
    CHECK(w.table.rows.size() <= 3);
  }
  for (auto& w : writers) w.join();
  const std::uint64_t total = sent;
  auto all = store.top_asns(0, Window{seconds(86400), at(now + 5)});
  CHECK(all.table.total == Counts{total, 3 * total, 0, 0});
  store.close_step(at(now + 10));
  all = store.top_asns(0, Window{seconds(86400), at(now + 10)});
  CHECK(all.table.total == Counts{total, 3 * total, 0, 0});
  CHECK(by_asn(all.table) == by_asn(store.top_asns(0)));
  CHECK(store.stats().total.hits == total);
}

TEST_CASE("a window kept rolling answers exactly like the steps it sums", "[store][history]") {
  auto t1 = table({{"10.0.0.0/8", 1}, {"20.0.0.0/8", 2}, {"30.0.0.0/8", 3}});
  auto t2 = table({{"10.0.0.0/8", 9}, {"20.0.0.0/8", 2}, {"40.0.0.0/8", 4}});
  HistoryConfig plain = config(), rolling = config();
  plain.rolling.clear();
  rolling.rolling = {seconds(60), seconds(300)};
  CounterStore a(t1, 2, plain, at(0)), b(t1, 2, rolling, at(0));
  const char* addrs[] = {"10.0.0.1", "20.0.0.1", "30.0.0.1", "40.0.0.1", "99.0.0.1"};
  std::mt19937 rng(9);
  for (long s = 10; s <= 900; s += 10) {
    for (int k = 0; k < 3; ++k) {
      const char* x = addrs[rng() % 5];
      std::uint32_t n = 1 + static_cast<std::uint32_t>(rng() % 20);
      feed(a, x, n, 7);
      feed(b, x, n, 7);
    }
    if (s % 170 == 0) a.set_table(s % 340 ? t2 : t1), b.set_table(s % 340 ? t2 : t1);
    if (s == 500) a.reset(), b.reset();
    a.close_step(at(s));
    b.close_step(at(s));
    for (long len : {20L, 55L, 60L, 65L, 290L, 300L, 310L, 1000L}) {
      for (long dt : {0L, 4L, 9L}) {
        const Window w{seconds(len), at(s + dt)};
        auto pa = a.top_prefixes(0, std::nullopt, w), pb = b.top_prefixes(0, std::nullopt, w);
        REQUIRE(by_prefix(pa.table) == by_prefix(pb.table));
        REQUIRE(pa.table.total == pb.table.total);
        REQUIRE(pa.window->from == pb.window->from);
        REQUIRE(by_asn(a.top_asns(0, w).table) == by_asn(b.top_asns(0, w).table));
        // With a limit (candidates passed on their hits alone) and an ASN.
        auto la = a.top_prefixes(2, std::nullopt, w), lb = b.top_prefixes(2, std::nullopt, w);
        REQUIRE(by_prefix(la.table) == by_prefix(lb.table));
        REQUIRE(la.table.total == pa.table.total);
        REQUIRE(by_prefix(a.top_prefixes(1, 2U, w).table) == by_prefix(b.top_prefixes(1, 2U, w).table));
      }
    }
  }
}

TEST_CASE("a window sums hostile byte counts across shards as since start does: saturating",
          "[store][history][adversarial]") {
  CounterStore store(table({{"192.0.2.0/24", 64496}, {"198.51.100.0/24", 64497}}), 4, config(), at(0));
  feed(store, "198.51.100.1", 3, 5);  // a plain prefix beside them keeps its exact bytes
  const std::uint64_t half = std::uint64_t{1} << 63;
  // From two threads, so two shards each below the top sum past it.
  for (const char* a : {"192.0.2.1", "192.0.2.2"}) {
    std::thread([&store, a, half] {
      EventBatch b;
      b.has_bytes = true;
      b.push(addr(a), 1, half);
      store.add(b);
    }).join();
  }
  auto since = store.top_prefixes(0);
  auto window = store.top_prefixes(0, std::nullopt, Window{seconds(60), at(5)});
  REQUIRE(window.window);
  REQUIRE(window.table.rows.size() == 2);
  for (const auto* t : {&since, &window.table}) {
    CHECK(t->rows[0].counts.hits == 3);
    CHECK(t->rows[0].counts.bytes == 15);
    CHECK(t->rows[1].counts.hits == 2);
    CHECK(t->rows[1].counts.bytes == UINT64_MAX);
  }
}
