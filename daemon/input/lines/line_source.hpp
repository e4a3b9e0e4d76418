#pragma once
// Line inputs: stdin, a followed log file (tail -F), a FIFO.

#include <memory>
#include <string>
#include <vector>

#include "daemon/input/input.hpp"

namespace asncounter {

enum class LineSourceKind { stdin_, file, fifo };

/// A line input reading `path` with options.format; the error names the spec.
Result<std::unique_ptr<Input>> make_line_input(LineSourceKind kind, const std::string& path,
                                               const std::string& spec, const InputOptions& options);

/// What a start would refuse of this line input (--check-config): a FIFO's
/// or a file's directory that is missing, a FIFO path that is something else.
std::vector<std::string> check_line_input(LineSourceKind kind, const std::string& path,
                                          const std::string& spec);

}  // namespace asncounter
