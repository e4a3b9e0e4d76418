// Fuzz target: the history file reader (a file on disk may be damaged in any
// way), through the import into a store's history.
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

#include "daemon/store/counter_store.hpp"
#include "daemon/store/history_file.hpp"
#include "tests/support/tables.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string dir = [] {
    auto d = std::filesystem::temp_directory_path() / ("asncounter-fuzz-history-" + std::to_string(getpid()));
    std::filesystem::create_directories(d);
    return d.string();
  }();
  const std::string path = asncounter::history_path(dir);
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  static const auto table = asncounter::test::table_of({{"192.0.2.0/24", 64496}, {"2001:db8:1::/48", 64500}});
  const asncounter::MonoTime start{std::chrono::hours(1000)};
  asncounter::CounterStore store(table, 1, asncounter::HistoryConfig{}, start);
  const std::int64_t now_ms = 1'800'000'000'000;
  auto read = store.import_history_file(path, now_ms);
  if (!read) __builtin_trap();  // the file is there and readable: damaged at worst
  const auto held = store.stats().history;
  if (!read->damage.empty() && held.steps != 0) __builtin_trap();  // refused whole
  if (read->damage.empty()) {
    // Whatever loads saves and loads back to the same steps.
    if (!asncounter::save_history_file(dir, store.export_history_image(start, now_ms))) __builtin_trap();
    asncounter::CounterStore again(table, 1, asncounter::HistoryConfig{}, start);
    auto back = again.import_history_file(path, now_ms);
    if (!back || !back->damage.empty()) __builtin_trap();
    const auto h = again.stats().history;
    if (h.steps != held.steps || h.entries != held.entries) __builtin_trap();
  }
  return 0;
}
