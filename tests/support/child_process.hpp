#pragma once
// A child process for tests (a real HTTP server, the real daemon...):
// started with fork/exec, its stdout readable, killed and reaped when the
// object goes away, so no test leaves a server behind.

#include <sys/types.h>

#include <string>
#include <vector>

namespace asncounter::test {

class ChildProcess {
 public:
  /// Starts argv[0] with argv; stdout is a pipe read by read_line().
  explicit ChildProcess(const std::vector<std::string>& argv);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  /// One line of the child's stdout (without the newline); empty at EOF.
  std::string read_line();
  /// Sends `sig` and waits for the exit; returns the exit status (or 128+signal).
  int stop(int sig);
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string buffer_;
};

}  // namespace asncounter::test
