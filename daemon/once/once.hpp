#pragma once
// One-shot mode (--once): read every input to its end (or until SIGINT,
// SIGTERM, --duration or --count), print the report (the ASN and prefix
// tables of common/report.hpp, as the old Python tool printed them), exit.
// SIGHUP and SIGUSR1 print an interim report. The old tool's whole job.

#include <iosfwd>

namespace asncounter {

struct Options;

/// Runs one-shot mode: the report goes to `out`, diagnostics to `err`.
/// Returns 0 (also when a signal, --duration or --count ended the reading),
/// 1 (a table, names or input failed) or 2 (bad usage).
int run_once(const Options& options, std::ostream& out, std::ostream& err);

}  // namespace asncounter
