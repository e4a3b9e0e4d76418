#pragma once
// --check-config: what the daemon would refuse at start, found without
// starting it (the systemd unit runs it as ExecStartPre, so it is quick and
// needs no network). One row per check in config_check.cpp.

#include <iosfwd>
#include <string>
#include <vector>

#include "daemon/config/options.hpp"

namespace asncounter {

/// One problem: the config key as spelled in the file, and what is wrong.
struct ConfigProblem {
  std::string key;
  std::string why;
};

/// Every problem the checks find with `o` (already parsed and validated);
/// empty when the daemon would start. The table and names are opened and
/// identified, not loaded.
std::vector<ConfigProblem> check_startup(const Options& o);

/// Runs the checks: "KEY: WHY" on `err` for each problem and exit code 2, or
/// "FILE: OK" on `out` and 0.
int run_config_check(const Options& o, std::ostream& out, std::ostream& err);

}  // namespace asncounter
