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

/// `to += c` with the bytes saturating (hits and times come from the
/// daemon's own counting and cannot reach the top).
inline void add_counts(Counts& to, const Counts& c) noexcept {
  to.hits += c.hits;
  to.bytes = saturating_add(to.bytes, c.bytes);
  to.latency_us_sum += c.latency_us_sum;
  to.latency_samples += c.latency_samples;
}

}  // namespace asncounter
