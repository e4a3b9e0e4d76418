// The store's history (docs/benchmarks.md "History"): ingest with the
// history on against off in the same run, the cost of a step close, windowed
// top-N latency with 1M prefixes counted while a writer ingests, and the
// history's memory after a day of steps.
//
//   bench_history [PREFIXES=1000000] [MOVING=50000] [DAY_STEPS=8640] [ROUNDS=6] [CLOSE_MS=200]
//
// ROUNDS is how many alternating off/on ingest rounds run; CLOSE_MS how often
// (wall time) a step closes during them, 200 ms being 50x the real rate.
// MOVING is how many distinct prefixes move in each 10 s step (half a fixed
// hot set, half drawn at random each step); the day simulation closes
// DAY_STEPS steps of 10 s on a fake clock with the default tiers and cap, and
// once more without a cap to show what the tiers alone hold.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <random>
#include <thread>
#include <vector>

#include "common/table/lpm_table.hpp"
#include "daemon/store/counter_store.hpp"
#include "tests/bench/cpu_clock.hpp"
#include "tests/bench/synthetic_traffic.hpp"

using namespace asncounter;
using bench::feed_day_step;
using bench::nth_prefix_address;
using bench::synthetic_table;
using Clock = std::chrono::steady_clock;
using std::chrono::seconds;

namespace {

double thread_cpu_ms() { return bench::thread_cpu_seconds() * 1e3; }
double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

void report(const char* what, std::vector<double> ms) {
  if (ms.empty()) return (void)std::printf("  %-44s no runs\n", what);
  std::sort(ms.begin(), ms.end());
  std::printf("  %-44s median %7.2f ms, p90 %7.2f ms, max %7.2f ms (%zu runs)\n", what, ms[ms.size() / 2],
              ms[ms.size() * 9 / 10], ms.back(), ms.size());
}

/// One hit on every prefix.
void touch_all(CounterStore& store, std::uint32_t prefixes) {
  EventBatch b;
  for (std::uint32_t i = 0; i < prefixes; ++i) {
    b.push(nth_prefix_address(i));
    if (b.full()) store.add(b), b.clear();
  }
  if (b.size) store.add(b);
}

/// Single-thread ingest of random addresses: M events/s by the thread's CPU time.
double ingest_rate(CounterStore& store, std::uint32_t prefixes, std::uint64_t events, unsigned seed) {
  std::mt19937 rng(seed);
  EventBatch b;
  double c0 = thread_cpu_ms();
  for (std::uint64_t n = 0; n < events; n += b.size) {
    b.clear();
    while (!b.full())
      b.push(Address::from_v4(0x10000000U + static_cast<std::uint32_t>(rng() % (prefixes << 8))));
    store.add(b);
  }
  return static_cast<double>(events) / (thread_cpu_ms() - c0) / 1e3;
}

MonoTime at(long s) { return MonoTime{} + seconds(s); }

}  // namespace

int main(int argc, char** argv) {
  const auto prefixes = static_cast<std::uint32_t>(argc > 1 ? std::atol(argv[1]) : 1000000);
  const auto moving = static_cast<std::uint32_t>(argc > 2 ? std::atol(argv[2]) : 50000);
  const long day_steps = argc > 3 ? std::atol(argv[3]) : 8640;
  const int rounds = argc > 4 ? std::max(1, std::atoi(argv[4])) : 6;
  const int close_ms = argc > 5 ? std::max(1, std::atoi(argv[5])) : 200;
  auto table = synthetic_table(prefixes);
  std::printf("table: %u prefixes; %u prefixes move per 10 s step\n", prefixes, moving);

  // 1. Ingest, history off against on, alternating rounds in one process. With
  // the history on, another thread closes a step every 200 ms of wall time
  // (50x the real rate, so the closes and their lock really meet the writer).
  {
    CounterStore off(table, 4);
    CounterStore on(table, 4, HistoryConfig{}, at(0));
    touch_all(off, prefixes);
    touch_all(on, prefixes);
    std::atomic<bool> stop{false};
    std::vector<double> close_cpu;
    std::thread closer([&] {
      long t = 0;
      while (!stop) {
        std::this_thread::sleep_for(std::chrono::milliseconds(close_ms));
        double c = thread_cpu_ms();
        on.close_step(at(t += 10));
        close_cpu.push_back(thread_cpu_ms() - c);
      }
    });
    std::vector<double> r_off, r_on, paired;
    for (int round = 0; round < rounds; ++round) {
      r_off.push_back(ingest_rate(off, prefixes, 20'000'000, 10 + static_cast<unsigned>(round)));
      r_on.push_back(ingest_rate(on, prefixes, 20'000'000, 10 + static_cast<unsigned>(round)));
      paired.push_back(r_on.back() / r_off.back());  // neighbours in time: the load drifts less
    }
    stop = true;
    closer.join();
    std::sort(r_off.begin(), r_off.end());
    std::sort(r_on.begin(), r_on.end());
    std::sort(paired.begin(), paired.end());
    const std::size_t mid = r_off.size() / 2;
    std::printf(
        "ingest, 1 writer thread, thread CPU, %d alternating rounds of 20M events, a close every %d ms:\n",
        rounds, close_ms);
    std::printf("  history off: median %.2f M events/s (min %.2f, max %.2f)\n", r_off[mid], r_off.front(),
                r_off.back());
    std::printf("  history on:  median %.2f M events/s (min %.2f, max %.2f), %+.1f%%\n", r_on[mid],
                r_on.front(), r_on.back(), (r_on[mid] / r_off[mid] - 1) * 100);
    std::printf("  on / off, round by round: median %+.1f%%, best of each %+.1f%%\n", (paired[mid] - 1) * 100,
                (r_on.back() / r_off.back() - 1) * 100);
    report("close_step, 1M ids, thread CPU", close_cpu);
    if (!close_cpu.empty())
      std::printf("  one close every 10 s costs %.3f%% of a core\n",
                  close_cpu[close_cpu.size() / 2] / 10000.0 * 100);
  }

  // 2. Windowed top-N with every prefix counted, 40 steps of MOVING prefixes
  // held, while a writer ingests.
  {
    CounterStore store(table, 4, HistoryConfig{}, at(0));
    touch_all(store, prefixes);
    std::mt19937 rng(3);
    long t = 0;
    for (int s = 0; s < 40; ++s) {
      feed_day_step(store, prefixes, moving, rng);
      store.close_step(at(t += 10));
    }
    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> ingested{0};
    std::thread writer([&] {
      std::mt19937 r(7);
      EventBatch b;
      while (!stop) {
        b.clear();
        while (!b.full())
          b.push(Address::from_v4(0x10000000U + static_cast<std::uint32_t>(r() % (prefixes << 8))));
        store.add(b);
        ingested += b.size;
      }
    });
    std::vector<double> asn_cpu, asn_wall, pfx_cpu, pfx_wall, start_cpu, close_cpu;
    auto t0 = Clock::now();
    for (int i = 0; i < 40; ++i) {
      const Window w{seconds(300), at(t + 5)};
      auto c = thread_cpu_ms();
      auto wall = Clock::now();
      auto a = store.top_asns(10, w);
      asn_cpu.push_back(thread_cpu_ms() - c);
      asn_wall.push_back(ms_since(wall));
      if (a.table.rows.size() != 10 || !a.window) return 1;
      c = thread_cpu_ms();
      wall = Clock::now();
      auto p = store.top_prefixes(10, std::nullopt, w);
      pfx_cpu.push_back(thread_cpu_ms() - c);
      pfx_wall.push_back(ms_since(wall));
      c = thread_cpu_ms();
      auto s = store.top_asns(10);
      start_cpu.push_back(thread_cpu_ms() - c);
      if (i % 4 == 3) {  // the steps keep closing as they would
        c = thread_cpu_ms();
        store.close_step(at(t += 10));
        close_cpu.push_back(thread_cpu_ms() - c);
      }
    }
    double secs = ms_since(t0) / 1e3;
    stop = true;
    writer.join();
    auto h = store.stats().history;
    std::printf(
        "windowed top with %u prefixes counted, %zu steps held (%zu entries), while a writer ingests %.1f "
        "M/s:\n",
        prefixes, h.steps, h.entries, static_cast<double>(ingested) / secs / 1e6);
    report("top_asns(10, window 300 s), thread CPU", asn_cpu);
    report("top_asns(10, window 300 s), wall", asn_wall);
    report("top_prefixes(10, window 300 s), thread CPU", pfx_cpu);
    report("top_prefixes(10, window 300 s), wall", pfx_wall);
    report("top_asns(10) since start, thread CPU", start_cpu);
    report("close_step while ingesting, thread CPU", close_cpu);
  }

  // 3. A day of steps on a fake clock: memory held, default cap and none.
  for (std::size_t cap : {HistoryConfig{}.max_bytes, std::size_t{0}}) {
    HistoryConfig c;
    if (cap == 0) c.max_bytes = SIZE_MAX;
    CounterStore store(table, 4, c, at(0));
    std::mt19937 rng(11);
    auto t0 = Clock::now();
    for (long s = 1; s <= day_steps; ++s) {
      feed_day_step(store, prefixes, moving, rng);
      store.close_step(at(s * 10));
    }
    auto h = store.stats().history;
    std::printf(
        "a day (%ld steps of 10 s, %u moving each), cap %s: %zu steps held (%zu entries, %.1f B/entry), "
        "%.1f MiB, span held %.1f h, %llu dropped by the cap; snapshot %.1f MiB; simulated in %.0f s\n",
        day_steps, moving, cap ? "64 MiB" : "none", h.steps, h.entries,
        h.entries ? static_cast<double>(h.bytes) / static_cast<double>(h.entries) : 0.0,
        static_cast<double>(h.bytes) / (1 << 20), std::chrono::duration<double>(h.to - h.from).count() / 3600,
        static_cast<unsigned long long>(h.dropped_steps), static_cast<double>(h.snapshot_bytes) / (1 << 20),
        ms_since(t0) / 1e3);
    std::fflush(stdout);
  }
  return 0;
}
