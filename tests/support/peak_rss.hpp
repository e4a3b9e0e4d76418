#pragma once
// Peak resident memory of the binaries under test, as the kernel counts it:
// VmHWM of a running process, ru_maxrss (wait4) of one run to its end.

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace asncounter::test {

/// KiB in a MiB: ru_maxrss and VmHWM are in KiB.
inline constexpr long kMiB = 1024;

/// The peak resident memory (VmHWM) of the running process `pid`, KiB; -1 when unknown.
long peak_rss_kib(pid_t pid);
/// The resident memory (VmRSS) of the running process `pid` now, KiB; -1 when unknown.
long rss_kib(pid_t pid);

/// One run of a command to its end: exit status (128+N if killed), peak RSS and output.
struct Measured {
  int status = -1;
  long max_rss_kib = 0;
  std::string out, err;
};

/// Runs the shell command line `command` with `exec` (so the measured process
/// is the binary itself, not a shell), stdin /dev/null, stdout and stderr in
/// files under `dir`. Throws when it cannot fork or wait.
Measured run_measured(const std::string& command, const std::filesystem::path& dir);

}  // namespace asncounter::test
