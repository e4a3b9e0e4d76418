#pragma once
// Durations as people write them: plain seconds, or a number with a unit
// (90s, 5m, 1h, 1d). Shared by the daemon's duration options and
// asncounterctl's --window.

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/parse_number.hpp"

namespace asncounter {

/// `text` in seconds: digits, optionally followed by s, m, h or d; nullopt
/// when it is not one of these or overflows.
inline std::optional<std::uint64_t> parse_duration_seconds(std::string_view text) noexcept {
  std::uint64_t unit = 1;
  if (!text.empty()) {
    switch (text.back()) {
      case 's':
        unit = 1;
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'd':
        unit = 86400;
        break;
      default:
        unit = 0;
        break;
    }
    if (unit != 0)
      text.remove_suffix(1);
    else
      unit = 1;
  }
  auto n = parse_unsigned<std::uint64_t>(text);
  if (!n || *n > UINT64_MAX / unit) return std::nullopt;
  return *n * unit;
}

}  // namespace asncounter
