#include <catch2/catch.hpp>

#include <array>
#include <atomic>
#include <map>
#include <random>
#include <thread>
#include <vector>

#include "common/table/lpm_table.hpp"
#include "daemon/store/counter_store.hpp"
#include "tests/support/addresses.hpp"
#include "tests/support/tables.hpp"

using asncounter::Address;
using asncounter::AsnTable;
using asncounter::CounterStore;
using asncounter::EventBatch;
using asncounter::LpmTable;
using asncounter::Prefix;
using asncounter::PrefixRow;
using asncounter::Route;

namespace {

using asncounter::test::addr;
using asncounter::test::pfx;

const auto table = asncounter::test::table_of;

std::uint64_t hits_of(const AsnTable& t, std::optional<std::uint32_t> asn) {
  for (const auto& r : t.rows)
    if (r.asn == asn) return r.counts.hits;
  return 0;
}

std::uint64_t row_sum(const AsnTable& t) {
  std::uint64_t n = 0;
  for (const auto& r : t.rows) n += r.counts.hits;
  return n;
}

/// Sends `batches` batches of addresses drawn from `pool` from one thread.
std::uint64_t send(CounterStore& store, const std::vector<Address>& pool, std::size_t batches,
                   unsigned seed) {
  std::mt19937 rng(seed);
  EventBatch b;
  std::uint64_t sent = 0;
  for (std::size_t i = 0; i < batches; ++i) {
    b.clear();
    while (!b.full()) b.push(pool[rng() % pool.size()]);
    store.add(b);
    sent += b.size;
  }
  return sent;
}

}  // namespace

TEST_CASE("store counts hits, bytes and latency exactly per ASN and prefix", "[store]") {
  CounterStore store(table({{"192.0.2.0/24", 64496},
                            {"203.0.113.0/24", 64496},
                            {"198.51.100.0/24", 64497},
                            {"2001:db8::/32", 64498}}));
  EventBatch b;
  b.has_bytes = b.has_latency = true;
  for (int i = 0; i < 5; ++i) b.push(addr("192.0.2.7"), 1, 100, 2000);
  for (int i = 0; i < 3; ++i) b.push(addr("203.0.113.200"), 1, 10, EventBatch::kNoLatency);
  b.push(addr("198.51.100.1"), 9, 1, 500);  // a tuple's count
  b.push(addr("2001:db8:ffff::1"), 1, 0, 10);
  b.push(addr("::ffff:198.51.100.9"), 1, 0, EventBatch::kNoLatency);  // mapped: counts as IPv4
  b.push(addr("10.1.2.3"), 2, 5, EventBatch::kNoLatency);             // unrouted
  store.add(b);

  AsnTable asns = store.top_asns(0);
  CHECK(asns.has_bytes);
  CHECK(asns.has_latency);
  CHECK(asns.total.hits == 5 + 3 + 9 + 1 + 1 + 2);
  CHECK(asns.total.bytes == 500 + 30 + 1 + 5);
  REQUIRE(asns.rows.size() == 4);
  CHECK(asns.rows[0].asn == 64497u);  // 10 hits
  CHECK(asns.rows[0].counts.hits == 10);
  CHECK(asns.rows[0].counts.latency_samples == 1);
  CHECK(asns.rows[1].asn == 64496u);
  CHECK(asns.rows[1].counts == asncounter::Counts{8, 530, 10000, 5});
  CHECK(asns.rows[2].asn == std::nullopt);  // ties with nothing: 2 hits
  CHECK(asns.rows[2].counts.hits == 2);
  CHECK(asns.rows[3].asn == 64498u);

  auto prefixes = store.top_prefixes(0);
  REQUIRE(prefixes.rows.size() == 5);
  CHECK(prefixes.rows[0].prefix == pfx("198.51.100.0/24"));
  CHECK(prefixes.rows[1].prefix == pfx("192.0.2.0/24"));    // 5
  CHECK(prefixes.rows[2].prefix == pfx("203.0.113.0/24"));  // 3
  CHECK(prefixes.rows[3].prefix == std::nullopt);           // 2
  CHECK(prefixes.rows[4].prefix == pfx("2001:db8::/32"));   // 1
  CHECK(prefixes.total == asns.total);

  auto only = store.top_prefixes(0, 64496);
  REQUIRE(only.rows.size() == 2);
  CHECK(only.rows[1].prefix == pfx("203.0.113.0/24"));
  CHECK(only.total == asns.total);  // percentages stay shares of everything

  auto top1 = store.top_asns(1);
  REQUIRE(top1.rows.size() == 1);
  CHECK(top1.total.hits == asns.total.hits);
  CHECK(store.stats().total == asns.total);
}

TEST_CASE("store ranks equal counts by key, None last", "[store]") {
  CounterStore store(table({{"192.0.2.0/24", 64500}, {"198.51.100.0/24", 64496}}));
  EventBatch b;
  b.push(addr("10.0.0.1"));
  b.push(addr("192.0.2.1"));
  b.push(addr("198.51.100.1"));
  store.add(b);
  auto asns = store.top_asns(0);
  REQUIRE(asns.rows.size() == 3);
  CHECK(asns.rows[0].asn == 64496u);
  CHECK(asns.rows[1].asn == 64500u);
  CHECK(asns.rows[2].asn == std::nullopt);
  CHECK_FALSE(asns.has_bytes);
  auto prefixes = store.top_prefixes(2);
  REQUIRE(prefixes.rows.size() == 2);
  CHECK(prefixes.rows[0].prefix == pfx("192.0.2.0/24"));
  CHECK(prefixes.rows[1].prefix == pfx("198.51.100.0/24"));
}

TEST_CASE("store counts a batch of unrouted addresses under None", "[store]") {
  CounterStore store(table({{"192.0.2.0/24", 64496}}));
  EventBatch b;
  while (!b.full()) b.push(addr(b.size % 2 ? "10.0.0.1" : "2001:db8::1"));
  store.add(b);
  auto asns = store.top_asns(10);
  REQUIRE(asns.rows.size() == 1);
  CHECK(asns.rows[0].asn == std::nullopt);
  CHECK(asns.rows[0].counts.hits == EventBatch::kCapacity);
  auto prefixes = store.top_prefixes(10);
  REQUIRE(prefixes.rows.size() == 1);
  CHECK(prefixes.rows[0].prefix == std::nullopt);
  CHECK(prefixes.rows[0].asn == std::nullopt);
}

TEST_CASE("store loses nothing with many writer threads", "[store]") {
  CounterStore store(table({{"192.0.2.0/24", 64496}, {"198.51.100.0/24", 64497}, {"2001:db8::/32", 64498}}),
                     4);
  const std::vector<Address> pool = {addr("192.0.2.1"), addr("198.51.100.3"), addr("2001:db8::5"),
                                     addr("10.0.0.1")};
  constexpr std::size_t kThreads = 8, kBatches = 2000;  // 8 x ~1M events
  std::vector<std::thread> writers;
  std::atomic<std::uint64_t> sent{0};
  for (unsigned t = 0; t < kThreads; ++t)
    writers.emplace_back([&, t] { sent += send(store, pool, kBatches, t); });
  for (auto& w : writers) w.join();
  REQUIRE(sent == kThreads * kBatches * EventBatch::kCapacity);
  auto asns = store.top_asns(0);
  CHECK(asns.total.hits == sent);
  CHECK(row_sum(asns) == sent);
  std::uint64_t prefix_sum = 0;
  for (const auto& r : store.top_prefixes(0).rows) prefix_sum += r.counts.hits;
  CHECK(prefix_sum == sent);
  CHECK(store.stats().total.hits == sent);
}

TEST_CASE("a table swap during ingest keeps every hit with the table it was counted with", "[store]") {
  // The same address maps to a different ASN in each table; 198.51.100/24
  // stays the same, so its rows must merge into one across generations.
  auto t1 = table({{"192.0.2.0/24", 64496}, {"198.51.100.0/24", 64500}});
  auto t2 = table({{"192.0.2.0/24", 64497}, {"198.51.100.0/24", 64500}, {"203.0.113.0/24", 64501}});
  auto t3 = table({{"192.0.2.0/25", 64499}, {"192.0.2.0/24", 64496}, {"198.51.100.0/24", 64500}});
  CounterStore store(t1, 4);
  constexpr unsigned kThreads = 4;
  constexpr std::size_t kBatches = 3000;
  std::atomic<std::uint64_t> batches_done{0};
  std::atomic<int> phase{0};  // 1, 2 once the second, third table is published
  std::atomic<bool> stop_reader{false};
  // Per writer and generation, the A (192.0.2.x) and B events it sent.
  std::vector<std::map<std::uint64_t, std::array<std::uint64_t, 3>>> seen(kThreads);
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      EventBatch b;
      for (std::size_t i = 0; i < kBatches; ++i) {
        // Checkpoints, so every table surely sees batches however the threads
        // are scheduled: the second half waits for the second table, the last
        // tenth for the third.
        if (i == kBatches / 2)
          while (phase < 1) std::this_thread::yield();
        if (i == kBatches * 9 / 10)
          while (phase < 2) std::this_thread::yield();
        b.clear();
        std::uint64_t low = 0, high = 0, other = 0;
        while (!b.full()) {
          switch (b.size % 3) {
            case 0:
              b.push(addr("192.0.2.1"));
              ++low;
              break;  // in 192.0.2.0/25 under t3
            case 1:
              b.push(addr("192.0.2.200"));
              ++high;
              break;  // only the /24 in every table
            default:
              b.push(addr("198.51.100.1"));
              ++other;
              break;
          }
        }
        auto& s = seen[t][store.add(b)];
        s[0] += low;
        s[1] += high;
        s[2] += other;
        ++batches_done;
      }
    });
  }
  std::vector<std::uint64_t> totals_seen;
  std::thread reader([&] {
    while (!stop_reader) totals_seen.push_back(row_sum(store.top_asns(0)));
  });
  auto wait_for = [&](std::uint64_t n) {
    while (batches_done < n) std::this_thread::yield();
  };
  wait_for(kThreads * kBatches / 4);
  store.set_table(t2);
  phase = 1;
  wait_for(kThreads * kBatches * 6 / 10);
  store.set_table(t3);
  phase = 2;
  for (auto& t : threads) t.join();
  stop_reader = true;
  reader.join();

  std::map<std::uint64_t, std::array<std::uint64_t, 3>> by_gen;
  for (const auto& m : seen)
    for (const auto& [gen, s] : m)
      for (int i = 0; i < 3; ++i) by_gen[gen][i] += s[i];
  REQUIRE(by_gen.size() == 3);  // every generation got batches
  const auto& g1 = by_gen[1];
  const auto& g2 = by_gen[2];
  const auto& g3 = by_gen[3];
  auto asns = store.top_asns(0);
  CHECK(hits_of(asns, 64496) == g1[0] + g1[1] + g3[1]);
  CHECK(hits_of(asns, 64497) == g2[0] + g2[1]);
  CHECK(hits_of(asns, 64499) == g3[0]);
  CHECK(hits_of(asns, 64500) == g1[2] + g2[2] + g3[2]);
  CHECK(asns.rows.size() == 4);
  const std::uint64_t all = kThreads * kBatches * EventBatch::kCapacity;
  CHECK(asns.total.hits == all);

  // One row per (prefix, ASN): the folded rows joined the current ones.
  std::map<std::pair<std::string, std::uint32_t>, std::uint64_t> rows;
  for (const auto& r : store.top_prefixes(0).rows) {
    REQUIRE(r.prefix);
    auto [it, fresh] = rows.emplace(std::pair{asncounter::to_string(*r.prefix), *r.asn}, r.counts.hits);
    CHECK(fresh);
  }
  CHECK(rows.size() == 4);
  CHECK(rows[{"192.0.2.0/24", 64496}] == g1[0] + g1[1] + g3[1]);
  CHECK(rows[{"192.0.2.0/24", 64497}] == g2[0] + g2[1]);
  CHECK(rows[{"192.0.2.0/25", 64499}] == g3[0]);
  CHECK(rows[{"198.51.100.0/24", 64500}] == g1[2] + g2[2] + g3[2]);

  // Folding never lost or double-counted anything a reader could see.
  for (std::size_t i = 1; i < totals_seen.size(); ++i) REQUIRE(totals_seen[i - 1] <= totals_seen[i]);
  if (!totals_seen.empty()) CHECK(totals_seen.back() <= all);
  CHECK(store.stats().generations == 3);
}

TEST_CASE("reset is atomic for concurrent readers", "[store]") {
  auto t1 = table({{"192.0.2.0/24", 64496}, {"198.51.100.0/24", 64497}});
  auto t2 = table({{"192.0.2.0/24", 64498}, {"198.51.100.0/24", 64497}});
  CounterStore store(t1, 4);
  const std::vector<Address> pool = {addr("192.0.2.1"), addr("198.51.100.3"), addr("10.0.0.1")};
  for (int round = 0; round < 30; ++round) {
    // A fixed amount spread over every shard (one writer thread each) and,
    // every other round, over two generations (so orphans are reset too).
    constexpr unsigned kWriters = 4;
    constexpr std::size_t kBatches = 8;
    std::vector<std::thread> writers;
    for (unsigned w = 0; w < kWriters; ++w) writers.emplace_back([&, w] { send(store, pool, kBatches, w); });
    for (auto& w : writers) w.join();
    if (round % 2) store.set_table(round % 4 == 1 ? t2 : t1);
    const std::uint64_t full = kWriters * kBatches * EventBatch::kCapacity;
    REQUIRE(store.top_asns(0).total.hits == full);

    std::atomic<bool> done{false};
    std::atomic<int> bad{0};
    std::atomic<int> reads{0};
    std::vector<std::thread> readers;
    for (int r = 0; r < 3; ++r) {
      readers.emplace_back([&, r] {
        while (!done) {
          std::uint64_t seen = r == 0 ? row_sum(store.top_asns(0)) : store.top_prefixes(0).total.hits;
          if (r == 2) seen = store.stats().total.hits;
          if (seen != full && seen != 0) ++bad;
          ++reads;
        }
      });
    }
    while (reads < 3) std::this_thread::yield();  // readers are in their loops
    store.reset();
    done = true;
    for (auto& r : readers) r.join();
    CHECK(bad == 0);
    CHECK(store.top_asns(0).rows.empty());
    CHECK(store.stats().total.hits == 0);
  }
}

TEST_CASE("exported rows import back, keeping their ASN under another table", "[store]") {
  auto t1 = table({{"192.0.2.0/24", 64496}, {"198.51.100.0/24", 64497}, {"2001:db8::/32", 64498}});
  CounterStore a(t1);
  EventBatch b;
  b.has_bytes = b.has_latency = true;
  b.push(addr("192.0.2.1"), 3, 300, 1000);
  b.push(addr("198.51.100.1"), 1, 20, EventBatch::kNoLatency);
  b.push(addr("2001:db8::1"), 2, 0, 7);
  b.push(addr("10.9.9.9"), 4, 1, EventBatch::kNoLatency);
  a.add(b);
  std::vector<PrefixRow> rows = a.export_rows();
  REQUIRE(rows.size() == 4);

  CounterStore same(t1);
  same.import_rows(rows);
  auto again = same.export_rows();
  REQUIRE(again.size() == rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    CHECK(again[i].prefix == rows[i].prefix);
    CHECK(again[i].asn == rows[i].asn);
    CHECK(again[i].counts == rows[i].counts);
  }
  CHECK(same.top_asns(0).has_bytes);
  CHECK(same.top_asns(0).has_latency);

  // Under a table where 192.0.2.0/24 now belongs to 64499, the imported hits
  // stay with 64496; new hits go to 64499, in a row of their own.
  CounterStore other(table({{"192.0.2.0/24", 64499}, {"198.51.100.0/24", 64497}}));
  other.import_rows(rows);
  EventBatch n;
  n.push(addr("192.0.2.1"));
  n.push(addr("198.51.100.1"));
  other.add(n);
  auto asns = other.top_asns(0);
  CHECK(hits_of(asns, 64496) == 3);
  CHECK(hits_of(asns, 64499) == 1);
  CHECK(hits_of(asns, 64497) == 2);
  CHECK(hits_of(asns, 64498) == 2);
  CHECK(hits_of(asns, std::nullopt) == 4);
  CHECK(other.top_prefixes(0).rows.size() == 5);
  CHECK(other.top_prefixes(0, 64497).rows.size() == 1);
}

TEST_CASE("Byte sums past 2^64-1 saturate instead of wrapping, per prefix, per ASN and in total",
          "[store][adversarial]") {
  CounterStore store(table({{"192.0.2.0/24", 64496}, {"198.51.100.0/24", 64496}}), 4);
  const std::uint64_t half = std::uint64_t{1} << 63;
  // From two threads, so two shards each below the top sum past it.
  for (const char* a : {"192.0.2.1", "198.51.100.1", "192.0.2.2"}) {
    std::thread([&store, a, half] {
      EventBatch b;
      b.has_bytes = true;
      b.push(addr(a), 1, half);
      b.push(addr(a), 1, half);
      store.add(b);
    }).join();
  }
  AsnTable asns = store.top_asns(0);
  CHECK(asns.total.bytes == UINT64_MAX);
  REQUIRE(asns.rows.size() == 1);
  CHECK(asns.rows[0].counts.bytes == UINT64_MAX);
  for (const auto& row : store.top_prefixes(0).rows) CHECK(row.counts.bytes == UINT64_MAX);
  CHECK(store.stats().total.bytes == UINT64_MAX);
}

// Issue 27: after 2^64-1 octets on two prefixes a row showed 18446744073709551615
// bytes and total_bytes 21,636,589,499 (Counts::operator+= and sum_of wrapped).
TEST_CASE("Totals equal the (saturating) sum of the rows at saturation, hits and bytes alike",
          "[store][adversarial]") {
  CounterStore store(table({{"192.0.2.0/24", 64496}, {"198.51.100.0/24", 64497}, {"203.0.113.0/24", 64498}}));
  const std::uint64_t half = std::uint64_t{1} << 63;
  for (const char* a : {"192.0.2.1", "198.51.100.1"}) {
    EventBatch b;
    b.has_bytes = true;
    b.push(addr(a), 1, half);
    b.push(addr(a), 1, half - 1);
    store.add(b);
  }
  // Hits near the top, as a state file or a flow record may bring them.
  store.import_rows({PrefixRow{pfx("192.0.2.0/24"), 64496U, asncounter::Counts{UINT64_MAX - 1, 0, 0, 0}},
                     PrefixRow{pfx("198.51.100.0/24"), 64497U, asncounter::Counts{UINT64_MAX - 1, 0, 0, 0}},
                     PrefixRow{pfx("203.0.113.0/24"), 64498U, asncounter::Counts{5, 5, 0, 0}}});

  auto saturating_sum = [](const auto& table) {
    asncounter::Counts sum;
    for (const auto& r : table.rows) sum += r.counts;
    return sum;
  };
  const AsnTable asns = store.top_asns(0);
  REQUIRE(asns.rows.size() == 3);
  CHECK(asns.rows[0].counts.hits == UINT64_MAX);
  CHECK(asns.rows[0].counts.bytes == UINT64_MAX);
  CHECK(asns.total.hits == UINT64_MAX);
  CHECK(asns.total.bytes == UINT64_MAX);
  CHECK(asns.total == saturating_sum(asns));
  const auto prefixes = store.top_prefixes(0);
  REQUIRE(prefixes.rows.size() == 3);
  CHECK(prefixes.total.hits == UINT64_MAX);
  CHECK(prefixes.total.bytes == UINT64_MAX);
  CHECK(prefixes.total == saturating_sum(prefixes));
  CHECK(store.top_prefixes(1).total == prefixes.total);  // the total is of every row, not those shown
  CHECK(store.stats().total.hits == UINT64_MAX);
  CHECK(store.stats().total.bytes == UINT64_MAX);
}
