// Cost of the mitigation rules per history step (docs/benchmarks.md
// "Mitigation"): 1M prefixes counted in every step, the three example
// rules (asn hits over 60s, prefix bytes over 10s, asn share over 300s)
// evaluated after each close, against the close itself as the baseline run
// alongside. The bound: under 5% of one core at 10 s steps (500 ms a step).
//
//   bench_mitigate_rules [STEPS=12] [PREFIXES=1048576]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "common/table/carve.hpp"
#include "daemon/mitigate/evaluate.hpp"
#include "daemon/mitigate/rule.hpp"
#include "daemon/store/counter_store.hpp"
#include "tests/bench/cpu_clock.hpp"
#include "tests/bench/synthetic_traffic.hpp"

namespace {

using namespace asncounter;

// One hit of 100 bytes on every prefix, and a flood of 100,000 on one ASN's first prefix.
void one_step_of_traffic(CounterStore& store, std::uint32_t prefixes) {
  EventBatch b;
  for (std::uint32_t i = 0; i < prefixes; ++i) {
    b.push(bench::nth_prefix_address(i), 1, 100);
    if (b.full()) store.add(b), b.clear();
  }
  for (int i = 0; i < 100000; ++i) {
    b.push(Address::from_v4(0x10000000U + 7), 1, 100);
    if (b.full()) store.add(b), b.clear();
  }
  if (b.size) store.add(b);
}

}  // namespace

int main(int argc, char** argv) {
  const int steps = argc > 1 ? std::atoi(argv[1]) : 12;
  const auto prefixes = static_cast<std::uint32_t>(argc > 2 ? std::atol(argv[2]) : 1L << 20);
  auto table = bench::synthetic_table(prefixes);
  HistoryConfig history;  // the defaults: 10 s steps, a day's span, a rolling 300 s window
  history.step = std::chrono::seconds(10);
  auto now = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  CounterStore store(table, 4, history, now);
  auto rules = mitigate::parse_rules(
      {"asn hits over 60s above 50000 ban 10m", "prefix bytes over 10s above 100M ban 1h",
       "asn share over 300s above 30% ban 30m"},
      std::chrono::seconds(86400));
  if (!rules) return std::fprintf(stderr, "%s\n", rules.error().c_str()), 1;

  double close_cpu = 0, rules_cpu = 0, worst = 0;
  std::size_t candidates = 0, carved = 0;
  for (int s = 0; s < steps; ++s) {
    one_step_of_traffic(store, prefixes);
    now += std::chrono::seconds(10);
    double t0 = bench::thread_cpu_seconds();
    store.close_step(now);
    double t1 = bench::thread_cpu_seconds();
    auto found = mitigate::evaluate(*rules, store, now, 1001);  // mitigate-max-prefixes' default + 1
    for (const auto& c : found)
      carved += c.target.asn ? carved_asn_space(*table, *c.target.asn).size()
                             : carved_prefix_space(*table, *c.target.prefix, c.origin.value_or(0)).size();
    double t2 = bench::thread_cpu_seconds();
    candidates += found.size();
    close_cpu += t1 - t0;
    rules_cpu += t2 - t1;
    worst = std::max(worst, t2 - t1);
  }
  const double per_step = rules_cpu / steps;
  std::printf("prefixes counted: %u, steps: %d, candidates per step: %.1f, carved prefixes per step: %.1f\n",
              prefixes, steps, static_cast<double>(candidates) / steps, static_cast<double>(carved) / steps);
  std::printf("close_step (baseline): %.1f ms CPU per step\n", 1000 * close_cpu / steps);
  std::printf(
      "rules: %.1f ms CPU per step (worst %.1f ms) = %.2fx the close, %.2f%% of one core at 10 s steps\n",
      1000 * per_step, 1000 * worst, per_step / (close_cpu / steps), 100 * per_step / 10.0);
  return per_step < 0.5 ? 0 : 1;
}
