// The history file (daemon/store/history_file.*): steps saved in their
// compact encoding and read back one at a time, exactly; a file damaged
// anywhere is refused whole; a save and a load cost at most twice the
// history's bytes of extra memory.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "daemon/store/counter_store.hpp"
#include "daemon/store/gallop.hpp"
#include "daemon/store/history_file.hpp"
#include "tests/support/feed.hpp"
#include "tests/support/files.hpp"
#include "tests/support/peak_rss.hpp"
#include "tests/support/sanitizer_bounds.hpp"
#include "tests/support/tables.hpp"
#include "tests/support/test_support.hpp"

namespace {

using asncounter::CounterStore;
using asncounter::HistoryConfig;
using asncounter::MonoTime;
using asncounter::Window;
using asncounter::test::feed;
using asncounter::test::table_of;
using asncounter::test::TempDir;
using std::chrono::seconds;

MonoTime at(long s) { return MonoTime{} + seconds(1000000 + s); }
constexpr std::int64_t kWallNow = 1'800'000'000'000;

std::shared_ptr<const asncounter::LpmTable> doc_table() {
  return table_of({{"192.0.2.0/24", 64496}, {"198.51.100.0/24", 64497}, {"2001:db8:1::/48", 64500}});
}

// ASN -> hits of a window ending at `now`.
std::map<std::uint32_t, std::uint64_t> window_asns(CounterStore& s, long length, MonoTime now) {
  std::map<std::uint32_t, std::uint64_t> out;
  auto w = s.top_asns(0, Window{seconds(length), now});
  REQUIRE(w.window);
  for (const auto& r : w.table.rows) out[r.asn.value_or(0)] = r.counts.hits;
  return out;
}

// Three steps of ten seconds: A, then A and B, then the IPv6 prefix, bytes too.
void three_steps(CounterStore& s) {
  feed(s, "192.0.2.1", 5);
  s.close_step(at(10));
  feed(s, "192.0.2.9", 2);
  feed(s, "198.51.100.7", 40);
  s.close_step(at(20));
  feed(s, "2001:db8:1::5", 7, 1500);
  s.close_step(at(30));
}

std::string saved(const TempDir& dir, CounterStore& s, MonoTime now) {
  auto written = asncounter::save_history_file(dir.path().string(), s.export_history_image(now, kWallNow));
  REQUIRE(written);
  CHECK(written->steps == 4);  // the three recent steps and the minute tier's step being filled
  CHECK(written->keys == 3);
  return asncounter::history_path(dir.path().string());
}

}  // namespace

TEST_CASE("history file: steps come back exactly, in a store with a different table",
          "[store][history][state]") {
  TempDir dir;
  CounterStore before(doc_table(), 2, HistoryConfig{}, at(0));
  three_steps(before);
  const std::string path = saved(dir, before, at(30));

  // The next start's table has a prefix more, so every id moved.
  auto table = table_of({{"192.0.2.0/25", 64499},
                         {"192.0.2.0/24", 64496},
                         {"198.51.100.0/24", 64497},
                         {"2001:db8:1::/48", 64500}});
  CounterStore after(table, 2, HistoryConfig{}, at(0));
  auto read = after.import_history_file(path, kWallNow);  // no downtime
  REQUIRE(read);
  CHECK(read->present);
  CHECK(read->damage.empty());
  CHECK(read->steps == 4);
  // The same windows, counted back from the save.
  CHECK(window_asns(after, 10, at(0)) == std::map<std::uint32_t, std::uint64_t>{{64500, 7}});
  CHECK(window_asns(after, 20, at(0)) ==
        std::map<std::uint32_t, std::uint64_t>{{64496, 2}, {64497, 40}, {64500, 7}});
  CHECK(window_asns(after, 30, at(0)) ==
        std::map<std::uint32_t, std::uint64_t>{{64496, 7}, {64497, 40}, {64500, 7}});
  auto v6 = after.top_prefixes(0, 64500U, Window{seconds(30), at(0)});
  REQUIRE(v6.table.rows.size() == 1);
  CHECK(v6.table.rows[0].counts.bytes == 7 * 1500);
  CHECK(after.stats().history.steps == 3);
}

TEST_CASE("history file: the downtime shows as a gap before the restored steps", "[store][history][state]") {
  TempDir dir;
  CounterStore before(doc_table(), 2, HistoryConfig{}, at(0));
  three_steps(before);
  const std::string path = saved(dir, before, at(30));
  CounterStore after(doc_table(), 2, HistoryConfig{}, at(0));
  REQUIRE(after.import_history_file(path, kWallNow + 60'000));  // down for a minute
  CHECK(window_asns(after, 60, at(0)).empty());
  CHECK(window_asns(after, 70, at(0)) == std::map<std::uint32_t, std::uint64_t>{{64500, 7}});
  // Down for longer than the span: nothing comes back.
  CounterStore late(doc_table(), 2, HistoryConfig{}, at(0));
  REQUIRE(late.import_history_file(path, kWallNow + 2LL * 86400 * 1000));
  CHECK(late.stats().history.steps == 0);
}

TEST_CASE("history file: no file is not an error, and a store without history reads nothing",
          "[store][history][state]") {
  TempDir dir;
  CounterStore store(doc_table(), 2, HistoryConfig{}, at(0));
  auto read = store.import_history_file(asncounter::history_path(dir.path().string()), kWallNow);
  REQUIRE(read);
  CHECK_FALSE(read->present);
}

TEST_CASE("history file: a file cut or damaged anywhere is refused whole",
          "[store][history][state][adversarial]") {
  TempDir dir;
  CounterStore before(doc_table(), 2, HistoryConfig{}, at(0));
  three_steps(before);
  const std::string path = saved(dir, before, at(30));
  const std::string good = asncounter::test::read_text(path);
  REQUIRE(good.size() > 40);

  auto refused = [&](const std::string& bytes) {
    REQUIRE(asncounter::test::write_text(path, bytes));
    CounterStore after(doc_table(), 2, HistoryConfig{}, at(0));
    auto read = after.import_history_file(path, kWallNow);
    REQUIRE(read);  // damaged is not unreadable
    CHECK(read->present);
    CHECK(read->damage.find(path + ": damaged history file at byte") == 0);
    CHECK(after.stats().history.steps == 0);  // nothing taken, not even the steps before the damage
  };
  for (std::size_t cut = 0; cut < good.size(); ++cut) {
    INFO("cut at " << cut);
    refused(good.substr(0, cut));
  }
  for (std::size_t at_byte = 0; at_byte < good.size(); ++at_byte) {
    INFO("byte " << at_byte << " flipped");
    std::string bad = good;
    bad[at_byte] = static_cast<char>(bad[at_byte] ^ 0x20);
    refused(bad);
  }
  refused(good + "x");
  // A file longer than a history can need is refused without being read.
  CounterStore small(doc_table(), 2, HistoryConfig{.max_bytes = 16}, at(0));
  REQUIRE(asncounter::test::write_text(path, good + std::string(70 << 20, '\0')));
  auto big = small.import_history_file(path, kWallNow);
  REQUIRE(big);
  CHECK(big->damage.find("more than the") != std::string::npos);
}

TEST_CASE("history file: a step's bytes from outside are decoded within bounds",
          "[store][history][adversarial]") {
  using asncounter::decode_step_checked;
  using asncounter::EncodedStep;
  std::vector<asncounter::StepEntry> out;
  auto bytes = [](std::initializer_list<int> b) { return std::vector<std::uint8_t>(b.begin(), b.end()); };
  auto ok = bytes({1, 5, 2, 7});  // key 1: 5 hits, key 3: 7 hits
  CHECK(decode_step_checked(ok, 2, 0, 0, out));
  REQUIRE(out.size() == 2);
  CHECK(out[1].key == 3);
  CHECK(out[1].counts.hits == 7);
  CHECK_FALSE(decode_step_checked(ok, 3, 0, 0, out));                    // more entries than bytes
  CHECK_FALSE(decode_step_checked(ok, 1, 0, 0, out));                    // bytes left over
  CHECK_FALSE(decode_step_checked(bytes({1, 5, 0, 7}), 2, 0, 0, out));   // a key twice
  CHECK_FALSE(decode_step_checked(bytes({1, 0x85}), 1, 0, 0, out));      // a varint cut short
  CHECK_FALSE(decode_step_checked(ok, 2, 0x80, 0, out));                 // an unknown field
  CHECK_FALSE(decode_step_checked(ok, 2, EncodedStep::kBytes, 0, out));  // fields beyond the bytes
  CHECK_FALSE(decode_step_checked(bytes({0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 1}), 1, 0, 0, out));  // key past 2^32
  std::vector<std::uint8_t> long_varint(12, 0xFF);
  long_varint.push_back(1);
  long_varint.push_back(1);
  CHECK_FALSE(decode_step_checked(long_varint, 1, 0, 0, out));  // more than 64 bits
}

namespace {

/// Peak RSS growth of this process while `f` runs, KiB (VmHWM reset first).
template <class F>
long extra_peak_kib(F&& f) {
  {
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5";  // resets VmHWM to the current RSS
  }
  const long before = asncounter::test::rss_kib(getpid());
  f();
  return asncounter::test::peak_rss_kib(getpid()) - before;
}

}  // namespace

TEST_CASE("history file: a save and a load take at most twice the history's bytes",
          "[store][history][state][memory]") {
  if (asncounter::test::under_sanitizer()) {
    WARN("skipped under a sanitizer: its shadow memory and quarantine are not the code's");
    return;
  }
  // 200,000 prefixes over 2,000 ASNs; each 10 s step moves 40,000 of them
  // (half a hot set), 120 steps: a history of tens of MiB.
  std::vector<asncounter::Route> routes;
  for (std::uint32_t i = 0; i < 200000; ++i)
    routes.push_back(asncounter::Route{
        asncounter::Prefix{asncounter::Address::from_v4(0x10000000U + (i << 8)), 24}, 64496U + i % 2000U});
  auto table = asncounter::LpmTable::build(routes, asncounter::TableInfo{"test", 0, {}, 0});
  HistoryConfig config;
  config.max_bytes = std::size_t{1} << 30;
  CounterStore store(table, 2, config, at(0));
  std::mt19937 rng(5);
  for (long s = 1; s <= 120; ++s) {
    asncounter::EventBatch b;
    b.has_bytes = true;
    for (std::uint32_t k = 0; k < 40000; ++k) {
      const std::uint32_t i = k < 20000 ? (k * 7919U) % 200000U : static_cast<std::uint32_t>(rng() % 200000U);
      b.push(asncounter::Address::from_v4(0x10000000U + (i << 8) + 1), 1 + rng() % 4, 600);
      if (b.full()) store.add(b), b.clear();
    }
    if (b.size) store.add(b);
    store.close_step(at(s * 10));
  }
  const auto history = store.stats().history;
  const long history_kib = static_cast<long>(history.bytes / 1024);
  REQUIRE(history_kib > 16 * 1024);
  TempDir dir;
  const std::string path = asncounter::history_path(dir.path().string());
  long save_kib = extra_peak_kib([&] {
    auto image = store.export_history_image(at(1200), kWallNow);
    REQUIRE(asncounter::save_history_file(dir.path().string(), image));
  });
  CounterStore after(table, 2, config, at(0));
  // The load's extra: beyond the history it builds (measured after).
  long load_kib = extra_peak_kib([&] { REQUIRE(after.import_history_file(path, kWallNow)); });
  const long loaded_kib = static_cast<long>(after.stats().history.bytes / 1024);
  INFO("history " << history_kib << " KiB; save peak +" << save_kib << " KiB; load peak +" << load_kib
                  << " KiB of which the history itself " << loaded_kib << " KiB; file "
                  << std::filesystem::file_size(path) / 1024 << " KiB");
  CHECK(after.stats().history.steps == history.steps);
  CHECK(after.stats().history.entries == history.entries);
  CHECK(save_kib < 2 * history_kib);
  CHECK(load_kib - loaded_kib < 2 * history_kib);
  // The file is the steps' own bytes plus the keys' names.
  CHECK(std::filesystem::file_size(path) < history.bytes * 3 / 2);
  CHECK(window_asns(after, 1200, at(0)) == window_asns(store, 1200, at(1200)));
}

TEST_CASE("gallop_lower_bound finds what lower_bound finds, for ascending keys from the last find",
          "[store][history]") {
  std::mt19937 rng(9);
  for (int round = 0; round < 200; ++round) {
    std::vector<std::uint32_t> sorted(rng() % 300);
    for (auto& v : sorted) v = static_cast<std::uint32_t>(rng() % 1000);
    std::sort(sorted.begin(), sorted.end());
    std::vector<std::uint32_t> keys(rng() % 50);
    for (auto& k : keys) k = static_cast<std::uint32_t>(rng() % 1100);
    std::sort(keys.begin(), keys.end());
    auto it = sorted.cbegin();
    for (std::uint32_t k : keys) {
      it = asncounter::gallop_lower_bound(it, sorted.cend(), k, std::less<>());
      REQUIRE(it == std::lower_bound(sorted.cbegin(), sorted.cend(), k));
    }
  }
}
