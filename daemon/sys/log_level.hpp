#pragma once
// How much the daemon logs: its own header so that the logger (a low layer)
// need not include the options (a high one) for one enum.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace asncounter {

/// How much the daemon logs (--log-level), in spdlog's order; names in kLogLevelNames.
enum class LogLevel : std::uint8_t { trace, debug, info, warn, error, critical, off, count_ };
/// The names of LogLevel, indexed by its value.
inline constexpr std::array<std::string_view, 7> kLogLevelNames = {"trace", "debug",    "info", "warn",
                                                                   "error", "critical", "off"};
static_assert(kLogLevelNames.size() == static_cast<std::size_t>(LogLevel::count_),
              "a LogLevel without a name");

constexpr std::string_view name_of(LogLevel l) { return kLogLevelNames[static_cast<std::size_t>(l)]; }

}  // namespace asncounter
