#include "tests/support/peak_rss.hpp"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>
#include <string_view>

#include "tests/support/files.hpp"

namespace asncounter::test {

namespace {

long status_kib(pid_t pid, std::string_view key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.starts_with(key)) return std::stol(line.substr(key.size()));
  return -1;
}

}  // namespace

long peak_rss_kib(pid_t pid) { return status_kib(pid, "VmHWM:"); }
long rss_kib(pid_t pid) { return status_kib(pid, "VmRSS:"); }

Measured run_measured(const std::string& command, const std::filesystem::path& dir) {
  auto q = [](const std::filesystem::path& p) { return "'" + p.string() + "'"; };
  std::filesystem::path out = dir / "measured.out", err = dir / "measured.err";
  std::string line = "exec " + command + " </dev/null >" + q(out) + " 2>" + q(err);
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", line.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  rusage ru{};
  if (wait4(pid, &status, 0, &ru) != pid) throw std::runtime_error("wait4 failed");
  Measured m;
  m.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  m.max_rss_kib = ru.ru_maxrss;
  m.out = read_text(out);
  m.err = read_text(err);
  return m;
}

}  // namespace asncounter::test
