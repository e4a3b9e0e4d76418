#pragma once
// Sums of counters fed by outside input (byte fields of log lines): they
// stick at the top instead of wrapping to a small number.

#include <cstdint>

#include "common/counts.hpp"

namespace asncounter {

/// `a + b`, or UINT64_MAX where it would wrap.
inline std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) noexcept {
  std::uint64_t r;
  return __builtin_add_overflow(a, b, &r) ? UINT64_MAX : r;
}

/// Most bytes one event (log line, packet, flow record) may carry: 1 TiB,
/// far above any real one; a line claiming more is rejected, not counted.
inline constexpr std::uint64_t kMaxEventBytes = std::uint64_t{1} << 40;

/// `to += c` with every field saturating (hits too: a flow record may carry
/// packets × sampling near 2^64).
inline void add_counts(Counts& to, const Counts& c) noexcept { to += c; }

}  // namespace asncounter
