// Per-input counts on the writers' path (issue 26): a batch counted into the
// store alone, into the store and its input's own store with the store's
// lookup (CounterStore::add's `also`: what a daemon with several inputs
// does), and, as the baseline run alongside, into both stores each with its
// own lookup (counting twice). Single writer thread, thread CPU time,
// alternating rounds of 20M random events over a full table's /24s.
//
//   bench_input_store [PREFIXES=1000000] [ROUNDS=6]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "common/table/lpm_table.hpp"
#include "daemon/store/counter_store.hpp"
#include "tests/bench/cpu_clock.hpp"
#include "tests/bench/synthetic_traffic.hpp"

using namespace asncounter;

namespace {

enum class Way { alone, shared_lookup, twice };

double rate(Way way, CounterStore& store, CounterStore& own, std::uint32_t prefixes, unsigned seed) {
  std::mt19937 rng(seed);
  EventBatch b;
  const std::uint64_t events = 20'000'000;
  const double c0 = bench::thread_cpu_seconds();
  for (std::uint64_t n = 0; n < events; n += b.size) {
    b.clear();
    while (!b.full())
      b.push(Address::from_v4(0x10000000U + static_cast<std::uint32_t>(rng() % (prefixes << 8))));
    switch (way) {
      case Way::alone:
        store.add(b);
        break;
      case Way::shared_lookup:
        store.add(b, &own);
        break;
      case Way::twice:
        store.add(b);
        own.add(b);
        break;
    }
  }
  return static_cast<double>(events) / (bench::thread_cpu_seconds() - c0) / 1e6;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const auto prefixes = static_cast<std::uint32_t>(argc > 1 ? std::atol(argv[1]) : 1000000);
  const int rounds = argc > 2 ? std::max(1, std::atoi(argv[2])) : 6;
  auto table = bench::synthetic_table(prefixes);
  CounterStore store(table, 4), own(table, 4);
  std::vector<double> alone, shared, twice;
  for (int r = 0; r < rounds; ++r) {
    const auto seed = 10 + static_cast<unsigned>(r);
    alone.push_back(rate(Way::alone, store, own, prefixes, seed));
    shared.push_back(rate(Way::shared_lookup, store, own, prefixes, seed));
    twice.push_back(rate(Way::twice, store, own, prefixes, seed));
  }
  const double a = median(alone), s = median(shared), t = median(twice);
  std::printf("%u prefixes, %d alternating rounds of 20M events, 1 writer, thread CPU, median M events/s:\n",
              prefixes, rounds);
  std::printf("  the store alone:                          %.2f\n", a);
  std::printf("  and the input's own store, shared lookup: %.2f (%.2fx the time of the store alone)\n", s,
              a / s);
  std::printf("  and the input's own store, looked up again: %.2f (%.2fx)\n", t, a / t);
  return 0;
}
