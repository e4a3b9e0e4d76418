// Saving and loading the history (docs/benchmarks.md "History file"): a
// store whose history is filled to the cap with a full table's traffic, then
// saved and loaded back, as the history file (this code) and, as the
// baseline run alongside, as the rows of the state file (the format before:
// every entry a text row with its prefix and ASN). Prints the wall time, the
// extra peak memory (VmHWM growth over the RSS before, KiB) and the file's
// size against the history's bytes.
//
//   bench_history_file [PREFIXES=1000000] [MOVING=50000] [CAP_MIB=64] [BASELINE=1]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "daemon/store/counter_store.hpp"
#include "daemon/store/history_file.hpp"
#include "daemon/store/state_file.hpp"
#include "tests/bench/synthetic_traffic.hpp"
#include "tests/support/peak_rss.hpp"

using namespace asncounter;
using Clock = std::chrono::steady_clock;
using std::chrono::seconds;

namespace {

MonoTime at(long s) { return MonoTime{} + seconds(s); }

struct Cost {
  double seconds;
  double extra_kib;
};

template <class F>
Cost measure(F&& f) {
  { std::ofstream("/proc/self/clear_refs") << "5"; }
  const long before = test::rss_kib(getpid());
  auto t0 = Clock::now();
  f();
  double s = std::chrono::duration<double>(Clock::now() - t0).count();
  return {s, static_cast<double>(test::peak_rss_kib(getpid()) - before)};
}

}  // namespace

int main(int argc, char** argv) {
  const auto prefixes = static_cast<std::uint32_t>(argc > 1 ? std::atol(argv[1]) : 1000000);
  const auto moving = static_cast<std::uint32_t>(argc > 2 ? std::atol(argv[2]) : 50000);
  HistoryConfig config;
  if (argc > 3) config.max_bytes = static_cast<std::size_t>(std::atol(argv[3])) << 20;
  const bool baseline = argc > 4 ? std::atoi(argv[4]) != 0 : true;
  auto table = bench::synthetic_table(prefixes);
  const long kib = static_cast<long>(config.max_bytes >> 10);

  CounterStore store(table, 4, config, at(0));
  std::mt19937 rng(11);
  long s = 0;
  // Until the cap drops a step: the history is full.
  while (store.stats().history.dropped_steps == 0) {
    bench::feed_day_step(store, prefixes, moving, rng);
    store.close_step(at(++s * 10));
  }
  const auto h = store.stats().history;
  std::printf("history: %zu steps, %zu entries, %.1f MiB (cap %ld MiB), %u prefixes, %u moving per step\n",
              h.steps, h.entries, static_cast<double>(h.bytes) / (1 << 20), kib >> 10, prefixes, moving);
  const double hist_kib = static_cast<double>(h.bytes) / 1024;

  const auto dir =
      std::filesystem::temp_directory_path() / ("bench-history-file-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::int64_t wall = 1'800'000'000'000;
  auto save = measure([&] {
    auto image = store.export_history_image(at(s * 10), wall);
    if (!save_history_file(dir.string(), image)) std::abort();
  });
  const auto file_bytes = std::filesystem::file_size(history_path(dir.string()));
  std::size_t loaded_bytes = 0;
  auto load = measure([&] {
    CounterStore after(table, 4, config, at(0));
    auto r = after.import_history_file(history_path(dir.string()), wall);
    if (!r || !r->damage.empty()) std::abort();
    loaded_bytes = after.stats().history.bytes;
    if (after.stats().history.entries != h.entries) std::abort();
  });
  std::printf(
      "history file:  save %.2f s, +%.1f MiB peak (%.2fx the history); load %.2f s, +%.1f MiB peak beyond "
      "the "
      "history built (%.2fx); file %.1f MiB (%.2fx the history)\n",
      save.seconds, save.extra_kib / 1024.0, save.extra_kib / hist_kib, load.seconds,
      (load.extra_kib - static_cast<double>(loaded_bytes) / 1024) / 1024.0,
      (load.extra_kib - static_cast<double>(loaded_bytes) / 1024) / hist_kib,
      static_cast<double>(file_bytes) / (1 << 20),
      static_cast<double>(file_bytes) / static_cast<double>(h.bytes));
  if (baseline) {
    auto old_save = measure([&] {
      SavedHistory saved{wall, store.export_history(at(s * 10))};
      if (!save_state(dir.string(), {}, &saved)) std::abort();
    });
    const auto old_bytes = std::filesystem::file_size(state_path(dir.string()));
    std::size_t old_loaded = 0;
    auto old_load = measure([&] {
      CounterStore after(table, 4, config, at(0));
      auto loaded = load_state(dir.string());
      if (!loaded || !loaded->damage.empty()) std::abort();
      after.import_history(loaded->history.steps, std::chrono::milliseconds(0));
      old_loaded = after.stats().history.bytes;
    });
    std::printf(
        "state rows (before): save %.2f s, +%.1f MiB peak (%.2fx); load %.2f s, +%.1f MiB peak beyond the "
        "history built (%.2fx); file %.1f MiB (%.2fx)\n",
        old_save.seconds, old_save.extra_kib / 1024.0, old_save.extra_kib / hist_kib, old_load.seconds,
        (old_load.extra_kib - static_cast<double>(old_loaded) / 1024) / 1024.0,
        (old_load.extra_kib - static_cast<double>(old_loaded) / 1024) / hist_kib,
        static_cast<double>(old_bytes) / (1 << 20),
        static_cast<double>(old_bytes) / static_cast<double>(h.bytes));
  }
  std::filesystem::remove_all(dir);
  return 0;
}
