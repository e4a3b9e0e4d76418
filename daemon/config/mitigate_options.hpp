#pragma once
// The mitigate-* options: their checks (daemon/config/options_table.cpp
// rows), shared by the command line, the config file, --check-config and
// reloads, and the mitigation's configuration they make.

#include <string>
#include <vector>

#include "common/result.hpp"
#include "daemon/mitigate/mitigation.hpp"

namespace asncounter {
struct Options;
}

namespace asncounter::mitigate {

/// mitigate-mode as given, or its default: dry-run with rules, off without.
Result<Mode> effective_mode(const Options& o);
/// "input", "input,forward": the hooks the chain is on.
Result<std::vector<std::string>> parse_hooks(const std::string& text);
/// The first input whose counts anyone may forge (a flow input whose
/// flow-exporters holds 0.0.0.0/0 or ::/0), or "" when every input is trusted.
std::string spoofable_input(const Options& o);

/// The configuration the options ask for (they were checked when parsed).
Result<MitigationConfig> mitigation_config(const Options& o);

/// Option checks: an error text, or "".
std::string check_rules(const Options& o);
std::string check_mode(const Options& o);
std::string check_allow(const Options& o);
std::string check_hooks(const Options& o);
std::string check_table(const Options& o);

}  // namespace asncounter::mitigate
