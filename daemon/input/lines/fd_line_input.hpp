#pragma once
// A line input on a descriptor the caller already holds: what stdin uses,
// and how tests feed a pipe without touching the test process's stdin.

#include <memory>
#include <string>

#include "daemon/input/input.hpp"

namespace asncounter {

/// Reads `fd` (taken over: closed when the input goes) to end of file with
/// options.format; `spec` names the input in counters and errors.
Result<std::unique_ptr<Input>> make_fd_line_input(int fd, const std::string& spec,
                                                  const InputOptions& options);

}  // namespace asncounter
