#pragma once
// An input's name (issue 26): `--input NAME=SPEC` names an input, so that
// `top --input NAME`, stats and the metrics' `input` label can tell inputs
// apart; without a name an input is named by its spec, as before.

#include <string>
#include <string_view>
#include <vector>

namespace asncounter {

struct NamedSpec {
  std::string name;  ///< the NAME of NAME=SPEC, else the spec itself
  std::string spec;
};

/// Splits "web=fifo:/run/x" into {web, fifo:/run/x}. Only a valid name
/// (valid_input_name) before an '=' that comes before the spec's first ':'
/// is a name, so a spec is never cut: "fifo:/run/a=b" stays whole.
NamedSpec split_input_name(const std::string& text);

/// 1 to 64 of [A-Za-z0-9_.-]: safe in a metric label and a command line.
bool valid_input_name(std::string_view name);

/// Why these names cannot name inputs (two alike), or "".
std::string check_input_names(const std::vector<std::string>& names);

}  // namespace asncounter
