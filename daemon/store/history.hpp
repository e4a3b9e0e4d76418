#pragma once
// The store's history of steps (docs/architecture.md "History"). Internal to
// the store: every member runs under the store's reader lock, and nothing
// here is on the writers' path: a step is closed by diffing the generation's
// flat arrays against a snapshot taken at the previous close.
//
// Keys: a step entry's key is a prefix id of the current table, or
// kOrphanKey | i for a (prefix, ASN) the current table does not have
// (orphan_keys_[i]). A table swap rewrites every key into the new table's
// ids, so keys always mean the table in force and a hit keeps its prefix and
// ASN.
//
// Tiers: the recent steps (history-step, for `recent`) and coarse tiers
// beside them (1 min for a day, 1 h for a week by default), each filled by
// the steps the tier before it closes and folded when it closes its own
// (step_fold.hpp): exact per ASN, exact for its heaviest prefixes. A query
// reads the finest tier that covers its window.
//
// Its members live in four files: history.cpp (the recent steps: closes,
// table swaps, ageing and the cap), history_tiers.cpp (the coarse tiers),
// history_window.cpp (rolling sums and window queries) and
// history_state.cpp (export and import for the history file); the types
// they share (snapshots, rolling sums, the diff, a coarse tier) are in
// history_sums.hpp.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "daemon/store/counter_array.hpp"
#include "daemon/store/generation.hpp"
#include "daemon/store/history_config.hpp"
#include "daemon/store/history_image.hpp"
#include "daemon/store/step_codec.hpp"
#include "daemon/store/store_rows.hpp"

namespace asncounter {

class History {
 public:
  using Retired = std::span<const std::shared_ptr<Generation>>;

  History(const HistoryConfig& config, MonoTime start, Generation& current);
  ~History();
  History(const History&) = delete;
  History& operator=(const History&) = delete;

  /// `next` replaces `previous` as the current generation: keys move to its ids.
  void table_swapped(Generation& previous, Generation& next, Retired retired);
  /// `g` is about to be folded (no writer holds it): its last moves join the step in progress.
  void retire(Generation& g);
  /// Counts that enter the current generation's arrays without being new
  /// hits (folding, re-homed orphans, import): not a move.
  void absorbed(PrefixId id, const Counts& c);
  /// Closes the step in progress at `now` (no-op unless now is after the last close).
  void close_step(MonoTime now, Retired retired);
  /// Sums the window into `out` (ids of the current generation) and `extra`
  /// (rows the current table does not have); says what it covers.
  WindowSpan window_sums(const Window& w, Retired retired, Summed& out, RowMap& extra);
  /// The closed steps of the finest tier covering `window` (0: the recent
  /// steps), keys as (prefix, ASN) rows, ages counted back from `now`; a
  /// coarse tier's steps being filled are steps too.
  std::vector<SavedStep> export_steps(MonoTime now, std::chrono::seconds window = {}) const;
  /// The newest `newest` closed steps of tier `tier` (0: the recent steps), as rows.
  std::vector<SavedStep> export_tier(std::size_t tier, MonoTime now, std::size_t newest) const;
  /// The closed steps as they are (bytes copied), with what their keys name.
  HistoryImage export_image(MonoTime now) const;
  /// Puts saved steps back before the first close, `gap` (the downtime)
  /// before the store's start; the counts themselves were imported already.
  void import_steps(const std::vector<SavedStep>& steps, std::chrono::milliseconds gap);
  /// The same one step at a time: begin_import() (false: this history takes
  /// no steps, being used already or the gap longer than the span), then
  /// import_step() oldest first with keys from import_key(), then
  /// end_import(). Steps are aged (span, tiers, cap) as they come, so a long
  /// file never holds more than the cap.
  bool begin_import(std::chrono::milliseconds gap);
  std::uint32_t import_key(const RowKey& k);
  /// `entries` (any order; sorted here) are this history's keys. `tier` 0
  /// is the recent steps, k the k-th coarse tier (a tier this history does
  /// not have: skipped); `filling` is a coarse tier's step being filled.
  void import_step(std::chrono::milliseconds age_from, std::chrono::milliseconds age_to,
                   std::vector<StepEntry>& entries, const ImportedStep& how = {});
  void end_import();
  /// Forgets every step and move (the counts were zeroed).
  void reset();
  /// Forgets every step, keeping the snapshots of the live counts.
  void forget_steps();
  /// Zeroes the snapshots of the live counts, which were zeroed, and keeps
  /// the steps (closed just before, so the step in progress is one of them).
  void forget_live();
  HistoryStats stats() const;
  std::size_t max_bytes() const { return config_.max_bytes; }

  static constexpr std::uint32_t kOrphanKey = 1U << 31;

 private:
  struct Track;
  struct Rolling;
  struct Step {
    MonoTime from, to;
    std::uint64_t seq;  ///< close number (a merged step keeps its first)
    EncodedStep data;
    Counts bound{};  ///< a coarse step: the largest prefix it folded (StepFold)
  };
  struct Tier;
  /// A step a tier closed, exact, for the next tier.
  struct Closed {
    MonoTime from, to;
    EncodedStep data;
  };

  Track& track(const Generation& g);
  /// Calls emit(id, delta) for every id of `g` that moved since its snapshot
  /// (ids ascending); with `update`, the snapshot takes the new values.
  template <class F>
  void diff(Generation& g, Track& t, bool update, F&& emit);
  /// The key of a (prefix, ASN) in the current table.
  std::uint32_t intern(const RowKey& k);
  /// The current key of id `id` of (retired) generation `g`.
  std::uint32_t translate(Generation& g, Track& t, PrefixId id);
  SavedStep saved_step(MonoTime now, const Step& st) const;
  void add_key(std::uint32_t key, const Counts& c, Summed& out, std::vector<Counts>& orphans) const;
  void age(MonoTime now);
  /// Adds (sign +1) or takes away (-1) a step's entries to a rolling sum.
  void apply(Rolling& r, const EncodedStep& step, int sign) const;
  /// Index of the oldest step a rolling sum holds (steps_.size(): none).
  std::size_t first_index(const Rolling& r) const;
  void drop_front();
  /// How long the recent steps are kept.
  std::chrono::seconds recent_keep() const;
  // history_tiers.cpp
  /// Adds a closed exact step to tier `t` and, when that closes the tier's
  /// step, the closed step to the tier after it, and so on.
  void feed_tier(std::size_t t, Closed step);
  /// Folds and keeps the tier's step being filled; returns it exact.
  Closed close_filling(Tier& tier);
  void age_tiers(MonoTime now);
  /// The steps' memory, every tier's and the key dictionary's (the cap's measure).
  std::size_t held_bytes() const;
  /// Drops the oldest step of the tier the cap takes from; false: nothing left to drop.
  bool drop_for_cap();
  /// The tier a window of `lower`..now reads: 0 the recent steps, k the k-th coarse one.
  std::size_t tier_for(MonoTime lower) const;
  MonoTime covered_from(std::size_t tier) const;
  /// The key of ASN `asn`'s "other prefixes" entry; the ASN of a key.
  std::uint32_t asn_of_key(std::uint32_t key) const;
  std::size_t dictionary_bytes() const;

  HistoryConfig config_;
  MonoTime origin_;      ///< step buckets are aligned on it
  MonoTime last_close_;  ///< the step in progress starts here
  Generation* current_;
  std::unordered_map<const Generation*, std::unique_ptr<Track>> tracks_;
  std::deque<Step> steps_;                    // oldest first
  std::vector<std::unique_ptr<Tier>> tiers_;  ///< the coarse tiers, finest first
  std::uint64_t next_seq_ = 0;
  std::vector<std::unique_ptr<Rolling>> rolling_;
  std::unordered_map<std::uint32_t, Counts> pending_;  ///< moves of folded generations, not yet in a step
  std::vector<RowKey> orphan_keys_;
  std::unordered_map<RowKey, std::uint32_t, RowKeyHash> orphan_index_;
  std::size_t step_bytes_ = 0;
  std::uint64_t dropped_ = 0;
  Summed scratch_;                         ///< reused by closes: no page faults every 10 s
  std::vector<StepEntry> entries_;         ///< reused by closes
  std::vector<std::uint64_t> live_block_;  ///< window_sums' per-block partial sums
  std::vector<Counts> orphan_scratch_;     ///< window_sums' per-orphan sums
  struct Import {
    MonoTime saved_now;                               ///< the save's moment on this run's clock
    std::chrono::milliseconds gap;                    ///< the downtime (below the span)
    std::vector<std::chrono::milliseconds> last_age;  ///< per tier, the previous step's end, by age
    bool stopped;                                     ///< a step out of order ended the import
  };
  std::optional<Import> import_;  ///< an import under way
};

}  // namespace asncounter
