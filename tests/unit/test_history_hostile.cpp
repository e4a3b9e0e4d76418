// A crafted state file's step ages (issue 27): an age of INT64_MAX ms
// overflowed the conversion to the clock's nanoseconds, and an ancient step
// showed in a 60 s window. Ages are checked against the present first.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <vector>

#include "daemon/store/counter_store.hpp"
#include "tests/support/addresses.hpp"
#include "tests/support/tables.hpp"

namespace {

using asncounter::CounterStore;
using asncounter::MonoTime;
using asncounter::PrefixRow;
using asncounter::SavedStep;
using asncounter::Window;
using std::chrono::milliseconds;
using std::chrono::seconds;

MonoTime at(long s) { return MonoTime{} + seconds(1000000 + s); }

SavedStep step(milliseconds from, milliseconds to, std::uint64_t hits) {
  return SavedStep{from, to, {PrefixRow{asncounter::test::pfx("192.0.2.0/24"), 64496U, {hits, 0, 0, 0}}}};
}

}  // namespace

TEST_CASE("state file: a step aged INT64_MAX ms is not put back, and never shows in a window",
          "[store][history][adversarial]") {
  asncounter::HistoryConfig config;
  config.step = seconds(10);
  config.span = seconds(86400);
  for (const milliseconds forged :
       {milliseconds::max(), milliseconds::max() / 1000, milliseconds(3 * 86400000LL)}) {
    INFO(forged.count());
    CounterStore store(asncounter::test::table_of({{"192.0.2.0/24", 64496}}), 2, config, at(0));
    store.import_history(
        {step(forged, milliseconds(30000), 1000), step(milliseconds(20000), milliseconds(10000), 7)},
        milliseconds(0));
    const auto w = store.top_asns(0, Window{seconds(60), at(1)});
    REQUIRE(w.window);
    CHECK(w.table.total.hits == 7);
    const auto day = store.top_asns(0, Window{seconds(86400), at(1)});
    REQUIRE(day.window);
    CHECK(day.table.total.hits == 7);
  }
  // A save claimed to be older than the span restores nothing, and does not overflow.
  CounterStore store(asncounter::test::table_of({{"192.0.2.0/24", 64496}}), 2, config, at(0));
  store.import_history({step(milliseconds(20000), milliseconds(10000), 7)}, milliseconds::max());
  const auto w = store.top_asns(0, Window{seconds(86400), at(1)});
  REQUIRE(w.window);
  CHECK(w.table.total.hits == 0);
}
