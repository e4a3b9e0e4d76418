#pragma once
// The long-running daemon: owns the io_context and every part, starts and
// stops them in order, reloads on SIGHUP.

namespace asncounter {

struct Options;

/// Runs until SIGTERM/SIGINT; returns the process exit code. `argv` is the
/// command line that a reload (SIGHUP) parses again.
int run_daemon(const Options& options, int argc, const char* const* argv);

}  // namespace asncounter
