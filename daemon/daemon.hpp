#pragma once
// The long-running daemon: owns the io_context and every part, starts and
// stops them in order, reloads on SIGHUP.

namespace asncounter {

struct Options;

/// Runs until SIGTERM/SIGINT; returns the process exit code.
int run_daemon(const Options& options);

}  // namespace asncounter
