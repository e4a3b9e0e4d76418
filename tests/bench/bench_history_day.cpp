// A week of the day benchmark's traffic through the history's tiers on a
// fake clock (docs/benchmarks.md "History tiers"): what the default memory
// cap really holds, and whether every tier's per-ASN sums are exact.
//
//   bench_history_day [DAYS=7] [PREFIXES=1000000] [MOVING=50000] [CAP_MIB=64]
//
// Every 10 s step feeds MOVING prefixes (synthetic_traffic.hpp) and closes a
// step. The bench keeps its own exact per-ASN sums of what it fed since each
// tier's last step, and compares them with each step a tier closes, the
// moment it closes (steps never change afterwards: no table swap here).
// At the end it times windowed top-10 queries over 24 h and 7 d. It prints
// progress on stderr and one JSON line on stdout.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "daemon/store/counter_store.hpp"
#include "tests/bench/synthetic_traffic.hpp"

using namespace asncounter;
using Clock = std::chrono::steady_clock;
using std::chrono::seconds;

namespace {

MonoTime at(long s) { return MonoTime{} + seconds(s); }

constexpr std::uint32_t kFirstAsn = 1000, kAsns = 60000;

/// Exact per-ASN hits and bytes fed since a tier's last closed step.
struct Reference {
  std::vector<std::uint64_t> hits = std::vector<std::uint64_t>(kAsns),
                             bytes = std::vector<std::uint64_t>(kAsns);
  void add(std::uint32_t asn, std::uint64_t h, std::uint64_t b) {
    hits[asn - kFirstAsn] += h;
    bytes[asn - kFirstAsn] += b;
  }
  /// The largest difference from `step`'s per-ASN sums; then starts over.
  std::uint64_t compare_and_clear(const SavedStep& step) {
    std::vector<std::uint64_t> h(kAsns), b(kAsns);
    for (const PrefixRow& r : step.rows) {
      if (!r.asn || *r.asn < kFirstAsn || *r.asn >= kFirstAsn + kAsns) return UINT64_MAX;  // never fed
      h[*r.asn - kFirstAsn] += r.counts.hits;
      b[*r.asn - kFirstAsn] += r.counts.bytes;
    }
    std::uint64_t worst = 0;
    for (std::uint32_t a = 0; a < kAsns; ++a) {
      worst = std::max({worst, h[a] > hits[a] ? h[a] - hits[a] : hits[a] - h[a],
                        b[a] > bytes[a] ? b[a] - bytes[a] : bytes[a] - b[a]});
      hits[a] = bytes[a] = 0;
    }
    return worst;
  }
};

/// The median and the best of 11 windowed top-10 queries, in ms.
std::pair<double, double> query_ms(CounterStore& store, seconds window, MonoTime now) {
  std::vector<double> ms;
  for (int i = 0; i < 11; ++i) {
    const auto t0 = Clock::now();
    auto t = store.top_asns(10, Window{window, now});
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    if (t.table.rows.empty()) return {-1, -1};
  }
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms.front()};
}

std::string tiers_json(const HistoryStats& h) {
  std::string out = "[";
  for (const TierStats& t : h.tiers) {
    char buf[320];
    std::snprintf(buf, sizeof buf,
                  "%s{\"resolution_s\":%lld,\"span_held_s\":%.0f,\"steps\":%zu,\"entries\":%zu,\"bytes\":%zu,"
                  "\"bytes_per_entry\":%.2f,\"dropped_steps\":%llu,\"folded_prefixes\":%llu}",
                  out.size() > 1 ? "," : "", static_cast<long long>(t.resolution.count()),
                  std::chrono::duration<double>(h.to - t.from).count(), t.steps, t.entries, t.bytes,
                  t.entries ? static_cast<double>(t.bytes) / static_cast<double>(t.entries) : 0.0,
                  static_cast<unsigned long long>(t.dropped_steps),
                  static_cast<unsigned long long>(t.folded));
    out += buf;
  }
  return out + "]";
}

}  // namespace

int main(int argc, char** argv) {
  const long days = argc > 1 ? std::max(1L, std::atol(argv[1])) : 7;
  const auto prefixes = static_cast<std::uint32_t>(argc > 2 ? std::atol(argv[2]) : 1000000);
  const auto moving = static_cast<std::uint32_t>(argc > 3 ? std::atol(argv[3]) : 50000);
  HistoryConfig config;  // the defaults: 10 s for an hour, 1 min for a day, 1 h for a week, 64 MiB
  if (argc > 4) config.max_bytes = static_cast<std::size_t>(std::atol(argv[4])) << 20;
  CounterStore store(bench::synthetic_table(prefixes), 4, config, at(0));
  const std::size_t tiers = 1 + config.tiers.size();
  std::vector<Reference> refs(tiers);
  std::vector<long> resolution{config.step.count()};
  for (const TierConfig& t : config.tiers) resolution.push_back(t.resolution.count());
  std::mt19937 rng(11);
  std::uint64_t asn_max_error = 0, compared = 0;
  std::string day_json;
  const auto started = Clock::now();
  const long steps = days * 8640;
  for (long s = 1; s <= steps; ++s) {
    bench::feed_day_step(store, prefixes, moving, rng,
                         [&](std::uint32_t i, std::uint32_t h, std::uint64_t b) {
                           for (Reference& r : refs) r.add(bench::nth_prefix_asn(i), h, b);
                         });
    const long now = s * 10;
    store.close_step(at(now));
    for (std::size_t t = 0; t < tiers; ++t) {
      if (now % resolution[t] != 0) continue;  // the tier closed no step now
      auto last = store.export_history_tier(t, at(now), 1);
      if (last.empty()) {
        asn_max_error = UINT64_MAX;  // a step went missing
        continue;
      }
      asn_max_error = std::max(asn_max_error, refs[t].compare_and_clear(last.back()));
      ++compared;
    }
    if (s % 8640 == 0) {
      const auto h = store.stats().history;
      std::fprintf(stderr, "day %ld: %.1f MiB held, span %.1f h, %.0f s so far\n", s / 8640,
                   static_cast<double>(h.bytes) / (1 << 20),
                   std::chrono::duration<double>(h.to - h.from).count() / 3600,
                   std::chrono::duration<double>(Clock::now() - started).count());
      if (s == 8640) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "{\"span_held_s\":%.0f,\"memory_bytes\":%zu,\"tiers\":",
                      std::chrono::duration<double>(h.to - h.from).count(), h.bytes);
        day_json = buf + tiers_json(h) + "}";
      }
    }
  }
  const auto h = store.stats().history;
  const double simulated_s = std::chrono::duration<double>(Clock::now() - started).count();
  const auto top_24h = query_ms(store, seconds(86400), at(steps * 10));
  const auto top_7d = query_ms(store, seconds(7 * 86400), at(steps * 10));
  std::printf(
      "{\"days\":%ld,\"prefixes\":%u,\"moving_per_step\":%u,\"span_held_s\":%.0f,\"memory_bytes\":%zu,"
      "\"memory_cap_bytes\":%zu,\"snapshot_bytes\":%zu,\"asn_max_error\":%llu,\"steps_compared\":%llu,"
      "\"top_window_24h_ms\":%.2f,\"top_window_24h_best_ms\":%.2f,\"top_window_7d_ms\":%.2f,"
      "\"top_window_7d_best_ms\":%.2f,\"simulated_in_s\":%.0f,\"tiers\":%s,\"day\":%s}\n",
      days, prefixes, moving, std::chrono::duration<double>(h.to - h.from).count(), h.bytes, config.max_bytes,
      h.snapshot_bytes, static_cast<unsigned long long>(asn_max_error),
      static_cast<unsigned long long>(compared), top_24h.first, top_24h.second, top_7d.first, top_7d.second,
      simulated_s, tiers_json(h).c_str(), day_json.empty() ? "null" : day_json.c_str());
  return 0;
}
