#include "common/version.hpp"

namespace asncounter {

std::string_view version() noexcept { return "0.1.0"; }

}  // namespace asncounter
