#pragma once
// Helpers every test shares: the shared sample data, skipping, temp dirs.

#include <filesystem>
#include <optional>
#include <string>

/// Marks the running test case skipped (CTest reads "SKIPPED:") and leaves it.
#define ASNCOUNTER_SKIP(why)    \
  do {                          \
    WARN("SKIPPED: " << (why)); \
    return;                     \
  } while (false)

namespace asncounter::test {

/// ../shared/data/<name> when that folder and file exist.
std::optional<std::filesystem::path> shared_data(const std::string& name);

/// Why a test that needs `name` from ../shared/data is skipped.
std::string missing_data_message(const std::string& name);

/// A fresh directory under the system temp dir, removed when destroyed.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

/// Runs a shell command; returns its exit status and captured stdout.
struct CommandResult {
  int status{};
  std::string out;
};
CommandResult run_command(const std::string& command);

/// A loopback TCP port nobody listens on right now (for servers under test).
int free_tcp_port();

/// True when `program` is found on PATH.
bool have_program(const std::string& program);

}  // namespace asncounter::test
