#pragma once
// How asncounterctl prints the daemon's answers for people: TSV tables like
// the one-shot report, "key: value" lines, or the answer's JSON as is
// (--json). One row per method whose answer needs more than the default.

#include <iosfwd>
#include <string>

#include "common/rpc.hpp"

namespace asncounter::ctl {

/// Prints `result` (the JSON answer to `method`) on `out`, problems on
/// `err`; returns the exit code (ctl/exit_codes.hpp).
int print_answer(rpc::MethodId method, const std::string& result, bool as_json, std::ostream& out,
                 std::ostream& err);

}  // namespace asncounter::ctl
