// Fuzz target: the state file reader (a file on disk may be damaged in any way).
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
    // Whatever loads must save and load back to the same rows.
    if (!asncounter::save_state(dir, loaded->rows)) __builtin_trap();
    auto again = asncounter::load_state(dir);
    if (!again || !again->damage.empty() || again->rows.size() != loaded->rows.size()) __builtin_trap();
  }
  return 0;
}
