// Fuzz target: the state file reader, rows and history (a file on disk may
// be damaged in any way).
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

#include "daemon/store/state_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string dir = [] {
    auto d = std::filesystem::temp_directory_path() / ("asncounter-fuzz-state-" + std::to_string(getpid()));
    std::filesystem::create_directories(d);
    return d.string();
  }();
  std::FILE* f = std::fopen(asncounter::state_path(dir).c_str(), "wb");
  if (!f) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  auto loaded = asncounter::load_state(dir);
  if (!loaded) __builtin_trap();  // the file is there and readable: damaged at worst
  if (loaded->damage.empty()) {
    // Whatever loads must save and load back to the same rows and steps
    // (format 2: the history after the rows).
    if (!asncounter::save_state(dir, loaded->rows, &loaded->history)) __builtin_trap();
    auto again = asncounter::load_state(dir);
    if (!again || !again->damage.empty() || again->rows.size() != loaded->rows.size()) __builtin_trap();
    const auto& a = loaded->history.steps;
    const auto& b = again->history.steps;
    if (b.size() != a.size() || again->history.saved_at_ms != loaded->history.saved_at_ms) __builtin_trap();
    for (std::size_t i = 0; i < a.size(); ++i)
      if (b[i].age_from != a[i].age_from || b[i].age_to != a[i].age_to ||
          b[i].rows.size() != a[i].rows.size())
        __builtin_trap();
  }
  return 0;
}
