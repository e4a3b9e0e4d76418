// A full-size RIB from file to live table while counting never pauses:
//   bench_table_swap [RIB.bz2]
// Without a file it writes a seeded synthetic RIB (1M IPv4 + 230k IPv6
// prefixes, 8 peers, bzip2) to /tmp first. One thread loads it the way the
// refresher does (read_table_file + LpmTable::build, then
// CounterStore::set_table) while another feeds the store batches of 512
// random addresses and records the longest gap between two batches: the
// pause a counting thread sees. Run it pinned: taskset -c 0,1.

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <thread>

#include "common/table/table_file.hpp"
#include "daemon/store/counter_store.hpp"
#include "tests/bench/cpu_clock.hpp"
#include "tests/tools/synthetic_rib.hpp"

using namespace std::chrono;
using asncounter::bench::thread_cpu_seconds;

int main(int argc, char** argv) {
  std::string path = argc > 1 ? argv[1] : "/tmp/asncounter-bench-rib-1M-230k.bz2";
  if (!std::filesystem::exists(path)) {
    std::printf("writing synthetic RIB %s ...\n", path.c_str());
    asncounter::test::write_synthetic_rib(path, asncounter::test::Packing::bzip2, {});
  }
  asncounter::CounterStore store(asncounter::LpmTable::empty(), 4);

  std::atomic<bool> done{false};
  std::atomic<std::uint64_t> batches{0};
  nanoseconds longest_gap{0};
  std::thread counter([&] {
    std::mt19937 rng(7);
    asncounter::EventBatch batch;
    auto last = steady_clock::now();
    while (!done) {
      batch.clear();
      while (!batch.full()) batch.push(asncounter::Address::from_v4(static_cast<std::uint32_t>(rng())));
      store.add(batch);
      auto now = steady_clock::now();
      longest_gap = std::max<nanoseconds>(longest_gap, now - last);
      last = now;
      ++batches;
    }
  });

  auto start = steady_clock::now();
  double cpu0 = thread_cpu_seconds();
  auto routes = asncounter::read_table_file(path);
  if (!routes) {
    std::fprintf(stderr, "%s\n", routes.error().c_str());
    done = true;
    counter.join();
    return 1;
  }
  auto parsed = steady_clock::now();
  auto table = asncounter::LpmTable::build(routes->routes, routes->info);
  auto built = steady_clock::now();
  store.set_table(table);
  auto live = steady_clock::now();
  double cpu = thread_cpu_seconds() - cpu0;
  std::this_thread::sleep_for(milliseconds(200));  // counting goes on against the new table
  done = true;
  counter.join();

  auto secs = [](auto d) { return duration<double>(d).count(); };
  std::printf("file %s: %zu routes -> %zu prefixes (%zu v4, %zu v6)\n", path.c_str(), routes->routes.size(),
              table->prefix_count(), table->v4_prefix_count(), table->v6_prefix_count());
  std::printf(
      "read+decompress+parse %.2f s, build %.2f s, swap %.3f ms; file to live table %.2f s wall, %.2f s "
      "CPU\n",
      secs(parsed - start), secs(built - parsed), secs(live - built) * 1e3, secs(live - start), cpu);
  std::printf("counting thread: %llu batches of 512 meanwhile, longest gap between batches %.3f ms\n",
              static_cast<unsigned long long>(batches.load()), secs(longest_gap) * 1e3);
  return 0;
}
