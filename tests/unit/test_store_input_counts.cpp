// CounterStore::add's `also` (per-input counts, issue 26): the input's own
// store counts the same batch with the main store's lookup, and looks it up
// itself when its table is another (between the two stores' swaps).
#include <catch2/catch.hpp>

#include <cstdint>
#include <map>

#include "daemon/store/counter_store.hpp"
#include "tests/support/addresses.hpp"
#include "tests/support/tables.hpp"

using asncounter::CounterStore;
using asncounter::EventBatch;
using asncounter::test::addr;
using asncounter::test::table_of;

namespace {
EventBatch batch() {
  EventBatch b;
  b.has_bytes = true;
  b.push(addr("192.0.2.1"), 3, 300);
  b.push(addr("198.51.100.7"), 1, 100);
  b.push(addr("203.0.113.9"), 2, 0);  // unrouted in the first table
  return b;
}
}  // namespace

TEST_CASE("an input's own store counts the batch as the store does, with the store's lookup",
          "[store][input]") {
  auto table = table_of({{"192.0.2.0/24", 64496}, {"198.51.100.0/24", 64497}});
  CounterStore store(table, 2), own(table, 2), other(table, 2);
  store.add(batch(), &own);
  store.add(batch());  // another input's batch: only the store has it
  CHECK(store.stats().total.hits == 12);
  CHECK(own.stats().total.hits == 6);
  CHECK(own.stats().total.bytes == 400);
  auto asns = own.top_asns(0);
  REQUIRE(asns.rows.size() == 3);
  CHECK(asns.rows[0].asn == 64496U);
  CHECK(asns.rows[0].counts.hits == 3);
  CHECK(other.stats().total.hits == 0);
}

TEST_CASE("an input's own store with another table looks the batch up itself", "[store][input]") {
  auto first = table_of({{"192.0.2.0/24", 64496}, {"198.51.100.0/24", 64497}});
  auto second = table_of({{"203.0.113.0/24", 64498}, {"198.51.100.0/24", 64497}});
  CounterStore store(first, 2), own(first, 2);
  own.set_table(second);  // swapped first: the store's ids would name the wrong prefixes
  store.add(batch(), &own);
  std::map<std::uint32_t, std::uint64_t> hits;  // ASN (0: unrouted) -> hits
  for (const auto& r : own.top_asns(0).rows) hits[r.asn.value_or(0)] = r.counts.hits;
  // 203.0.113.9 is routed in its table, 192.0.2.1 is not.
  CHECK(hits == std::map<std::uint32_t, std::uint64_t>{{0, 3}, {64497, 1}, {64498, 2}});
  CHECK(own.top_prefixes(0, 64496U).rows.empty());
  CHECK(own.stats().total.hits == 6);
}
