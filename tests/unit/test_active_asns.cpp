// The per-ASN series follow activity (DESIGN.md "Time: since start, and
// now"): a real store, the metrics' selection and the collector's families,
// and on every scrape the series sum to the totals.
#include <catch2/catch.hpp>

#include <prometheus/metric_family.h>

#include <atomic>
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "common/table/lpm_table.hpp"
#include "daemon/metrics/active_asns.hpp"
#include "daemon/metrics/metrics_collector.hpp"
#include "daemon/store/counter_store.hpp"
#include "tests/support/feed.hpp"

using asncounter::CounterStore;
using asncounter::MonoTime;
using asncounter::Window;
using std::chrono::seconds;

namespace {

using asncounter::test::feed;

std::shared_ptr<const asncounter::LpmTable> table() {
  std::vector<asncounter::Route> r;
  r.push_back({*asncounter::parse_prefix("192.0.2.0/24"), 64496});
  r.push_back({*asncounter::parse_prefix("198.51.100.0/24"), 64497});
  r.push_back({*asncounter::parse_prefix("203.0.113.0/24"), 64498});
  r.push_back({*asncounter::parse_prefix("2001:db8::/32"), 64499});
  return asncounter::LpmTable::build(r, asncounter::TableInfo{"test", 0, {}});
}

MonoTime at(long s) { return MonoTime{} + seconds(1000000 + s); }

CounterStore history_store() {
  asncounter::HistoryConfig c;
  return CounterStore(table(), 4, c, at(0));
}

/// One scrape: the daemon's selection, then the collector's families.
struct Scrape {
  std::map<std::string, double> hits, bytes;  ///< asn label -> value
  double hits_total = -1, bytes_total = -1;
};

Scrape scrape(const CounterStore& store, long now, std::size_t k) {
  auto active = asncounter::select_active_asns(store.asn_activity(Window{seconds(300), at(now)}), k);
  asncounter::MetricsSnapshot s;
  s.top_asns = std::move(active.rows);
  s.other_asns = active.other;
  Scrape out;
  for (const auto& f : asncounter::to_metric_families(s)) {
    for (const auto& m : f.metric) {
      std::string asn;
      for (const auto& l : m.label)
        if (l.name == "asn") asn = l.value;
      if (f.name == "asncounter_asn_hits_total") out.hits[asn] = m.counter.value;
      if (f.name == "asncounter_asn_bytes_total") out.bytes[asn] = m.counter.value;
      if (f.name == "asncounter_hits_total") out.hits_total = m.counter.value;
      if (f.name == "asncounter_bytes_total") out.bytes_total = m.counter.value;
    }
  }
  return out;
}

double sum(const std::map<std::string, double>& m) {
  double s = 0;
  for (const auto& [asn, v] : m) s += v;
  return s;
}

void check_sums(const Scrape& s) {
  CHECK(s.hits.count("other") == 1);
  CHECK(sum(s.hits) == s.hits_total);
  CHECK(sum(s.bytes) == s.bytes_total);
}

}  // namespace

TEST_CASE("The per-ASN series and other sum to the totals, hits and bytes", "[metrics]") {
  auto store = history_store();
  feed(store, "192.0.2.1", 500, 10);
  feed(store, "198.51.100.1", 300, 20);
  feed(store, "203.0.113.1", 200, 30);
  feed(store, "2001:db8::1", 100, 40);
  feed(store, "10.0.0.1", 50, 50);  // unrouted: in the total, so in a series
  auto s = scrape(store, 5, 2);
  check_sums(s);
  CHECK(s.hits_total == 1150);
  CHECK(s.bytes_total == 500 * 10 + 300 * 20 + 200 * 30 + 100 * 40 + 50 * 50);
  CHECK(s.hits.size() == 3);  // K = 2, and other
  CHECK(s.hits["64496"] == 500);
  CHECK(s.hits["64497"] == 300);
  CHECK(s.hits["other"] == 350);
  CHECK(s.bytes["other"] == 200 * 30 + 100 * 40 + 50 * 50);
}

TEST_CASE("A new most active ASN enters at the next scrape and a quiet heavy one goes into other",
          "[metrics]") {
  auto store = history_store();
  feed(store, "192.0.2.1", 10000, 100);  // the old heavy one
  feed(store, "198.51.100.1", 100, 100);
  auto first = scrape(store, 5, 2);
  check_sums(first);
  CHECK(first.hits.count("64496") == 1);
  CHECK(first.hits.count("64497") == 1);
  CHECK(first.hits.count("64498") == 0);
  // Ten minutes on, 64496 is quiet: only 64497 and a new one are active.
  for (long t = 10; t <= 600; t += 10) store.close_step(at(t));
  feed(store, "203.0.113.1", 50, 100);
  feed(store, "198.51.100.1", 10, 100);
  auto next = scrape(store, 605, 2);
  check_sums(next);
  CHECK(next.hits.count("64496") == 0);
  CHECK(next.hits["64498"] == 50);   // since start, not over the window
  CHECK(next.hits["64497"] == 110);  // cumulative: rate() and increase() work on it
  CHECK(next.hits["other"] == 10000);
  // And back: the old one active again outranks the newcomer.
  feed(store, "192.0.2.1", 60, 100);
  auto back = scrape(store, 606, 2);
  check_sums(back);
  CHECK(back.hits["64496"] == 10060);
  CHECK(back.hits.count("64497") == 0);  // 10 in the window, fewer than 64496's 60 and 64498's 50
}

TEST_CASE("Without a history the series are the top K since start, summing to the totals", "[metrics]") {
  CounterStore store(table(), 4);
  feed(store, "192.0.2.1", 30, 100);
  feed(store, "198.51.100.1", 20, 100);
  feed(store, "203.0.113.1", 10, 100);
  auto s = scrape(store, 0, 1);
  check_sums(s);
  CHECK(s.hits.size() == 2);
  CHECK(s.hits["64496"] == 30);
  CHECK(s.hits["other"] == 30);
}

TEST_CASE("While writers count and steps close, every scrape sums to the totals", "[metrics]") {
  auto store = history_store();
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  const char* addrs[] = {"192.0.2.1", "198.51.100.1", "203.0.113.1", "2001:db8::1", "10.0.0.1"};
  for (int w = 0; w < 2; ++w)
    writers.emplace_back([&, w] {
      for (std::uint32_t i = 0; !stop.load(); ++i)
        feed(store, addrs[(i + static_cast<std::uint32_t>(w)) % 5], 37, 3);
    });
  for (long t = 1; t <= 300; ++t) {
    if (t % 10 == 0) store.close_step(at(t));
    auto s = scrape(store, t, 2);
    check_sums(s);
  }
  stop = true;
  for (auto& w : writers) w.join();
}

// Issue 27: at saturation the total is no longer the exact sum of the rows;
// "other" (total minus the rows shown) wrapped to a huge series.
TEST_CASE("metrics: at saturation the other series is 0, not a wrapped number", "[metrics][adversarial]") {
  asncounter::AsnActivity a;
  a.since_start.total = asncounter::Counts{UINT64_MAX, UINT64_MAX, 0, 0};
  for (std::uint32_t asn : {64496U, 64497U})
    a.since_start.rows.push_back(asncounter::AsnRow{asn, asncounter::Counts{UINT64_MAX, UINT64_MAX, 0, 0}});
  a.since_start.rows.push_back(asncounter::AsnRow{64498U, asncounter::Counts{5, 5, 0, 0}});
  const auto two = asncounter::select_active_asns(a, 2);
  CHECK(two.other == asncounter::Counts{});
  const auto one = asncounter::select_active_asns(a, 1);
  CHECK(one.other == asncounter::Counts{});  // the series still sum (saturating) to the total
}
