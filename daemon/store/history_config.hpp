#pragma once
// The public side of the store's history (DESIGN.md "Time: since start, and
// now"): its settings, the window a query asks for and the interval an
// answer covers. Times are steady_clock values the caller passes in, so steps
// follow a monotonic clock (tests drive a fake one); the caller maps them to
// wall time.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "common/counts.hpp"

namespace asncounter {

using MonoTime = std::chrono::steady_clock::time_point;

struct HistoryConfig {
  std::chrono::seconds step{10};                  ///< history-step: resolution of the newest steps
  std::chrono::seconds span{86400};               ///< history-span: how far back steps are kept
  std::size_t max_bytes = std::size_t{64} << 20;  ///< cap on the steps' memory; oldest dropped first
  /// As steps age they are merged into coarser ones: {age, resolution} pairs,
  /// by age ascending. Defaults: 10 s for the last hour, 1 min to 6 h, 5 min beyond.
  std::vector<std::pair<std::chrono::seconds, std::chrono::seconds>> tiers{
      {std::chrono::seconds(3600), std::chrono::seconds(60)},
      {std::chrono::seconds(21600), std::chrono::seconds(300)}};
  /// Windows kept summed as steps close (a dense array per field each), so
  /// that querying them costs about what a since-start query costs: the
  /// metrics window and the usual `top --window 300`. Longer than the first
  /// tier's age: ignored.
  std::vector<std::chrono::seconds> rolling{std::chrono::seconds(300)};
};

/// What a windowed query asks for: the last `length` before `now`.
struct Window {
  std::chrono::seconds length{};  ///< 0: since start
  MonoTime now{};
};

/// The interval a windowed answer covers: the step in progress and the whole
/// steps before it that start no earlier than now - length.
struct WindowSpan {
  std::chrono::seconds requested{};
  MonoTime from{};
  MonoTime to{};
  bool clipped{};  ///< the history holds less than was asked for
  std::chrono::duration<double> length() const { return to - from; }
};

/// The history as saved with the counts: its closed steps, each with the
/// (prefix, ASN) rows that moved in it, placed by age at the save (so that a
/// restart shows the downtime as a gap, whatever the monotonic clock did).
struct SavedStep {
  std::chrono::milliseconds age_from{};  ///< how long before the save the step started
  std::chrono::milliseconds age_to{};    ///< and ended
  std::vector<PrefixRow> rows;
};
struct SavedHistory {
  std::int64_t saved_at_ms{};    ///< wall time of the save, Unix milliseconds
  std::vector<SavedStep> steps;  ///< oldest first
};

/// The downtime between a save at `saved_at_ms` and `wall_now_ms` (Unix
/// milliseconds): never negative, and saturating, so that a forged
/// saved_at far in the past cannot overflow.
inline std::chrono::milliseconds downtime_since(std::int64_t saved_at_ms, std::int64_t wall_now_ms) {
  std::int64_t down_ms = 0;
  if (__builtin_sub_overflow(wall_now_ms, saved_at_ms, &down_ms)) down_ms = INT64_MAX;
  return std::chrono::milliseconds(down_ms < 0 ? 0 : down_ms);
}

/// What the history holds, for stats.
struct HistoryStats {
  bool enabled{};
  MonoTime from{};  ///< start of the oldest step held (or of the step in progress)
  MonoTime to{};    ///< the last step close
  std::size_t steps{};
  std::size_t entries{};          ///< (prefix, delta) entries over every step
  std::size_t bytes{};            ///< the steps and their key dictionary
  std::size_t snapshot_bytes{};   ///< last-close snapshots and rolling sums (fields in use, full size)
  std::uint64_t dropped_steps{};  ///< dropped to keep under max_bytes (not by age)
};

}  // namespace asncounter
