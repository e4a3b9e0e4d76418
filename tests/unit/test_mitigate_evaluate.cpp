// The rules against a real store with a history: a prefix rule reads only the
// heaviest prefixes by its own measure, so a volumetric flood (few hits, many
// bytes) is found even when thousands of prefixes have more hits.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "daemon/mitigate/evaluate.hpp"
#include "daemon/mitigate/rule.hpp"
#include "daemon/store/counter_store.hpp"
#include "tests/support/addresses.hpp"
#include "tests/support/feed.hpp"
#include "tests/support/tables.hpp"

using asncounter::CounterStore;
using asncounter::HistoryConfig;
using asncounter::MonoTime;
using asncounter::RankBy;
using asncounter::Window;
using asncounter::test::addr;
using asncounter::test::pfx;
using std::chrono::seconds;
namespace mitigate = asncounter::mitigate;

namespace {

using asncounter::test::feed;

MonoTime at(long s) { return MonoTime{} + seconds(1000000 + s); }

// 192.0.2.0/24 (AS64496): many small requests; 198.51.100.0/24 (AS64497): a
// few huge ones; 203.0.113.0/24 (AS64498): background.
struct FloodedStore {
  CounterStore store{asncounter::test::table_of(
                         {{"192.0.2.0/24", 64496}, {"198.51.100.0/24", 64497}, {"203.0.113.0/24", 64498}}),
                     2, history(), at(0)};
  FloodedStore() {
    feed(store, "192.0.2.1", 5000, 100);         // 500 kB
    feed(store, "198.51.100.1", 20, 1'000'000);  // 20 MB
    feed(store, "203.0.113.1", 1000, 100);       // 100 kB
    store.close_step(at(10));
  }
  static HistoryConfig history() {
    HistoryConfig c;
    c.step = seconds(10);
    c.span = seconds(3600);
    return c;
  }
};

std::vector<std::string> targets(const std::vector<mitigate::Candidate>& found) {
  std::vector<std::string> out;
  for (const auto& c : found) out.push_back(mitigate::target_text(c.target));
  return out;
}

}  // namespace

TEST_CASE("a windowed prefix query by bytes keeps the heaviest by bytes", "[mitigate][store]") {
  FloodedStore flooded;
  const CounterStore& store = flooded.store;
  // A window covers the whole steps that start inside it: 20 s at 15 s holds
  // the step 0-10.
  const Window w{seconds(20), at(15)};
  auto by_hits = store.top_prefixes(1, std::nullopt, w).table;
  REQUIRE(by_hits.rows.size() == 1);
  CHECK(by_hits.rows[0].prefix == pfx("192.0.2.0/24"));
  auto by_bytes = store.top_prefixes(2, std::nullopt, w, RankBy::bytes).table;
  REQUIRE(by_bytes.rows.size() == 2);
  CHECK(by_bytes.rows[0].prefix == pfx("198.51.100.0/24"));
  CHECK(by_bytes.rows[0].counts.bytes == 20'000'000);
  CHECK(by_bytes.rows[1].prefix == pfx("192.0.2.0/24"));
  CHECK(by_bytes.total.bytes == 20'600'000);
}

TEST_CASE("a prefix bytes rule finds the volumetric flood among rows read by bytes, within the row bound",
          "[mitigate]") {
  FloodedStore flooded;
  const CounterStore& store = flooded.store;
  auto rules = mitigate::parse_rules({"prefix bytes over 20s above 10M ban 1m"}, seconds(3600));
  REQUIRE(rules);
  // One row read: by hits it would be 192.0.2.0/24 (500 kB) and nothing found.
  auto found = mitigate::evaluate(*rules, store, at(15), 1);
  REQUIRE(targets(found) == std::vector<std::string>{"198.51.100.0/24"});
  CHECK(found[0].value == 20'000'000);
  CHECK(found[0].origin == 64497U);

  auto hits = mitigate::parse_rules({"prefix hits over 20s above 900 ban 1m"}, seconds(3600));
  REQUIRE(hits);
  CHECK(targets(mitigate::evaluate(*hits, store, at(15), 10)) ==
        std::vector<std::string>{"192.0.2.0/24", "203.0.113.0/24"});
  // The bound cuts what is read: only the heaviest by hits is a candidate.
  CHECK(targets(mitigate::evaluate(*hits, store, at(15), 1)) == std::vector<std::string>{"192.0.2.0/24"});
}
