#pragma once
// Line inputs: stdin, a followed log file (tail -F), a FIFO.

#include <memory>
#include <string>

#include "daemon/input/input.hpp"

namespace asncounter {

enum class LineSourceKind { stdin_, file, fifo };

/// A line input reading `path` with options.format; the error names the spec.
Result<std::unique_ptr<Input>> make_line_input(LineSourceKind kind, const std::string& path,
                                               const std::string& spec, const InputOptions& options);

}  // namespace asncounter
