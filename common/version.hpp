#pragma once
// The release both programs report (`--version`, the RPC `version` method).

#include <string_view>

namespace asncounter {

/// The project version, "MAJOR.MINOR.PATCH".
std::string_view version() noexcept;

}  // namespace asncounter
