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

/// A coarse tier: steps of `resolution` kept for `span`, beside the recent
/// steps (docs/architecture.md "History").
struct TierConfig {
  std::chrono::seconds resolution{};
  std::chrono::seconds span{};
  friend bool operator==(const TierConfig&, const TierConfig&) = default;
};

struct HistoryConfig {
  std::chrono::seconds step{10};                  ///< history-step: resolution of the recent steps
  std::chrono::seconds recent{3600};              ///< how long the recent steps are kept
  std::chrono::seconds span{604800};              ///< history-span: nothing older is kept, in any tier
  std::size_t max_bytes = std::size_t{64} << 20;  ///< cap on the steps' memory (see History::age)
  /// Coarse tiers, finest first, each fed by the one before it (the first
  /// by the recent steps): exact per ASN, the heaviest `top_prefixes`
  /// prefixes of each step exact and the rest summed per ASN. Defaults:
  /// 1 min for a day, 1 h for a week.
  std::vector<TierConfig> tiers{{std::chrono::seconds(60), std::chrono::seconds(86400)},
                                {std::chrono::seconds(3600), std::chrono::seconds(604800)}};
  std::size_t top_prefixes = 1000;  ///< K: prefixes kept exact per coarse step, by hits and by bytes
  /// Windows kept summed as steps close (a dense array per field each), so
  /// that querying them costs about what a since-start query costs: the
  /// metrics window and the usual `top --window 300`. Longer than `recent`:
  /// ignored.
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
  bool clipped{};                     ///< the history holds less than was asked for
  std::chrono::seconds resolution{};  ///< of the steps summed: the recent steps' or a coarse tier's
  /// How far a prefix's counts may be below the truth: the sum over the
  /// coarse steps read of the largest prefix each folded into its ASN's
  /// "other prefixes" (zero: exact). ASNs and totals are always exact.
  Counts prefix_error{};
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

/// One tier of the history, for stats: the recent steps (tier 0) or a coarse one.
struct TierStats {
  std::chrono::seconds resolution{};
  MonoTime from{};  ///< start of the oldest step held (or of the step in progress)
  std::size_t steps{};
  std::size_t entries{};
  std::size_t bytes{};            ///< its closed steps and the step it is filling
  std::uint64_t dropped_steps{};  ///< dropped to keep under max_bytes (not by age)
  std::uint64_t folded{};         ///< prefix entries summed into their ASN's "other prefixes"
};

/// How a step of a history file joins the history (History::import_step).
struct ImportedStep {
  std::uint8_t tier{};  ///< 0: the recent steps
  bool filling{};       ///< a coarse tier's step still being filled
  Counts bound{};       ///< a coarse step's largest folded prefix
};

/// What the history holds, for stats.
struct HistoryStats {
  bool enabled{};
  MonoTime from{};  ///< start of the oldest step held in any tier (or of the step in progress)
  MonoTime to{};    ///< the last step close
  std::size_t steps{};
  std::size_t entries{};          ///< (key, delta) entries over every step of every tier
  std::size_t bytes{};            ///< the steps of every tier and their key dictionary
  std::size_t snapshot_bytes{};   ///< last-close snapshots and rolling sums (fields in use, full size)
  std::uint64_t dropped_steps{};  ///< dropped to keep under max_bytes (not by age)
  std::vector<TierStats> tiers;   ///< the recent steps first, then the coarse tiers
};

}  // namespace asncounter
