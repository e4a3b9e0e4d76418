// Counter store figures: ingest rate per writer thread, and top_asns(10) /
// top_prefixes(10) latency over ~1M counted prefixes while writers ingest.
//
//   bench_store [PREFIXES] [WRITERS]      (defaults: 1000000, 2)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <thread>
#include <unordered_set>
#include <vector>

#include "common/table/lpm_table.hpp"
#include "daemon/store/counter_store.hpp"
#include "tests/bench/cpu_clock.hpp"

using namespace asncounter;
using Clock = std::chrono::steady_clock;

namespace {

/// CPU time of the calling thread: on a shared machine the wall clock
/// mostly measures the other processes; both are printed.
double thread_cpu_ms() { return asncounter::bench::thread_cpu_seconds() * 1e3; }

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

long rss_kib(const char* key = "VmRSS:") {
  FILE* f = std::fopen("/proc/self/status", "r");
  char line[256];
  long kib = 0;
  while (f && std::fgets(line, sizeof line, f))
    if (std::strncmp(line, key, std::strlen(key)) == 0 &&
        std::sscanf(line + std::strlen(key), "%ld", &kib) == 1)
      break;
  if (f) std::fclose(f);
  return kib;
}

void report(const char* what, std::vector<double>& ms) {
  std::sort(ms.begin(), ms.end());
  std::printf("%-28s median %.2f ms, p90 %.2f ms, max %.2f ms (%zu runs)\n", what, ms[ms.size() / 2],
              ms[ms.size() * 9 / 10], ms.back(), ms.size());
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t prefixes = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1000000;
  const unsigned writers = argc > 2 ? static_cast<unsigned>(std::strtoul(argv[2], nullptr, 10)) : 2;
  // Distinct /24s spread over the IPv4 space, ~50k origin ASNs (a real table's shape).
  std::mt19937 rng(1);
  std::unordered_set<std::uint32_t> seen;
  std::vector<Route> routes;
  while (routes.size() < prefixes) {
    std::uint32_t net = static_cast<std::uint32_t>(rng()) & 0xFFFFFF00U;
    if (!seen.insert(net).second) continue;
    routes.push_back(Route{Prefix{Address::from_v4(net), 24}, 1 + static_cast<std::uint32_t>(rng() % 50000)});
  }
  auto table = LpmTable::build(routes, TableInfo{"bench", 0, {}});
  std::printf("table: %zu prefixes, RSS %ld MiB\n", table->prefix_count(), rss_kib() / 1024);
  CounterStore store(table, 4);

  // Count every prefix once, single-threaded: the ingest figure.
  auto t0 = Clock::now();
  EventBatch b;
  std::uint64_t events = 0;
  for (std::size_t i = 0; i < routes.size(); ++i) {
    b.push(Address::from_v4(routes[i].prefix.addr.v4 | (i & 0xFF)));
    if (b.full()) {
      store.add(b);
      events += b.size;
      b.clear();
    }
  }
  store.add(b);
  events += b.size;
  double ms = ms_since(t0);
  std::printf("ingest, 1 thread: %.1f M events/s (table lookups included)\n",
              static_cast<double>(events) / ms / 1e3);
  std::printf("every prefix counted: RSS %ld MiB\n", rss_kib() / 1024);

  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> ingested{0};
  std::vector<std::thread> threads;
  for (unsigned w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      std::mt19937 r(100 + w);
      EventBatch wb;
      while (!stop) {
        wb.clear();
        while (!wb.full()) wb.push(Address::from_v4(routes[r() % routes.size()].prefix.addr.v4 | 7));
        store.add(wb);
        ingested += wb.size;
      }
    });
  }
  std::vector<double> asn_ms, prefix_ms, asn_cpu, prefix_cpu;
  auto start = Clock::now();
  for (int i = 0; i < 50; ++i) {
    auto t = Clock::now();
    double c = thread_cpu_ms();
    auto top = store.top_asns(10);
    asn_cpu.push_back(thread_cpu_ms() - c);
    asn_ms.push_back(ms_since(t));
    if (top.rows.size() != 10) return 1;
    t = Clock::now();
    c = thread_cpu_ms();
    auto p = store.top_prefixes(10);
    prefix_cpu.push_back(thread_cpu_ms() - c);
    prefix_ms.push_back(ms_since(t));
  }
  double secs = ms_since(start) / 1000.0;
  stop = true;
  for (auto& t : threads) t.join();
  std::printf("while %u writer(s) ingest %.1f M events/s:\n", writers,
              static_cast<double>(ingested) / secs / 1e6);
  report("top_asns(10), wall", asn_ms);
  report("top_asns(10), thread CPU", asn_cpu);
  report("top_prefixes(10), wall", prefix_ms);
  report("top_prefixes(10), thread CPU", prefix_cpu);
  std::printf("peak RSS %ld MiB, contended shard locks %llu\n", rss_kib("VmHWM:") / 1024,
              static_cast<unsigned long long>(store.stats().contended_locks));
  return 0;
}
