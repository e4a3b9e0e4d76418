#pragma once
// The lock-sharded counter store (see docs/architecture.md).
//
// Counters are flat per-shard arrays indexed by the dense prefix id of one
// table generation. A writer takes one shard lock per batch. A table swap
// starts a new generation; the old one is folded into per-(prefix, ASN)
// totals once no writer holds it, so past hits keep the prefix and ASN the
// table in force said. Readers merge everything under one reader lock, which
// reset also takes, so a reader sees all of the old counts or none.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "common/counts.hpp"
#include "common/table/lpm_table.hpp"
#include "daemon/store/event_batch.hpp"
#include "daemon/store/history_config.hpp"
#include "daemon/store/history_file.hpp"
#include "daemon/store/history_image.hpp"
#include "daemon/store/rank_by.hpp"

namespace asncounter {

/// Totals the store has seen, for stats and metrics.
struct StoreStats {
  Counts total;
  std::uint64_t generations{};      ///< tables installed so far
  std::uint64_t contended_locks{};  ///< shard locks that had to wait
  std::size_t shards{};
  bool has_bytes{};
  bool has_latency{};
  HistoryStats history;  ///< enabled false: no history kept
};

/// A windowed answer: the table, and the interval it covers (none: since start).
template <class Table>
struct Windowed {
  Table table;
  std::optional<WindowSpan> window;
};

/// Every ASN since start and over a window, read under one lock (the metrics).
struct AsnActivity {
  AsnTable since_start;  ///< every ASN; its total is the sum of its rows
  /// Every ASN with counts in the window, most hits first (none: no history, or no window).
  std::optional<Windowed<AsnTable>> window;
};

/// One ASN over a window: its counts, rank and prefixes.
struct AsnSummary {
  Counts counts;
  Counts total;          ///< of every ASN, for the share
  std::size_t rank{};    ///< 1: the most hits; 0: not counted
  PrefixTable prefixes;  ///< its prefixes, by hits descending (total: of every prefix)
  std::optional<WindowSpan> window;
};

class CounterStore {
 public:
  /// `shards` is rounded up to a power of two.
  CounterStore(std::shared_ptr<const LpmTable> table, unsigned shards = 4);
  /// The same keeping a history of steps, the first starting at `start`.
  CounterStore(std::shared_ptr<const LpmTable> table, unsigned shards, const HistoryConfig& history,
               MonoTime start);
  ~CounterStore();
  CounterStore(const CounterStore&) = delete;
  CounterStore& operator=(const CounterStore&) = delete;

  /// Looks up and counts a batch under one shard lock. Thread-safe. Returns
  /// the number of the generation (table) it was counted against. `also`
  /// (an input's own store: per-input counts) counts the same batch with
  /// the same lookup, so a second store costs no second table lookup.
  std::uint64_t add(const EventBatch& batch, CounterStore* also = nullptr);
  /// Counts a batch whose prefix ids were looked up in `looked_up_in`; looks
  /// it up again when this store's table is another (mid-swap).
  void add_looked_up(const LpmTable& looked_up_in, std::span<const PrefixId> ids, const EventBatch& batch);
  /// Publishes a new table; later batches count against it. Thread-safe.
  void set_table(std::shared_ptr<const LpmTable> table);
  /// The table in force.
  std::shared_ptr<const LpmTable> table() const;

  /// Top `limit` ASNs (0: all).
  AsnTable top_asns(std::size_t limit) const;
  /// Top `limit` prefixes (0: all), only those of `asn` when given.
  PrefixTable top_prefixes(std::size_t limit, std::optional<std::uint32_t> asn = std::nullopt) const;
  /// The same over a window (length 0, or no history: since start).
  Windowed<AsnTable> top_asns(std::size_t limit, const Window& window) const;
  /// By bytes (`by`), the `limit` kept are the heaviest by bytes, in that order.
  Windowed<PrefixTable> top_prefixes(std::size_t limit, std::optional<std::uint32_t> asn,
                                     const Window& window, RankBy by = RankBy::hits) const;
  /// One ASN's counts, rank and prefixes, over a window or since start.
  AsnSummary asn_summary(std::uint32_t asn, const Window& window) const;
  /// Every ASN since start, and over `window` when the store keeps a history.
  AsnActivity asn_activity(const Window& window) const;
  /// Closes the history's step in progress at `now` (a timer every history-step).
  void close_step(MonoTime now);
  StoreStats stats() const;
  /// Zeroes every count, and the history, atomically.
  /// Zeroes the since-start counts but keeps the history: the step in
  /// progress is closed at `now` first, so every window answers as before.
  void reset_keeping_history(MonoTime now);
  void reset();

  /// Every (prefix, ASN) total, unrouted included, for persistence.
  std::vector<PrefixRow> export_rows() const;
  /// Adds previously exported rows back (at start, after a restart).
  void import_rows(const std::vector<PrefixRow>& rows);

  /// The history's closed steps, for persistence (empty without a history).
  /// `window`: of the finest tier covering it (0: the recent steps).
  std::vector<SavedStep> export_history(MonoTime now, std::chrono::seconds window = {}) const;
  /// The newest closed steps of one tier (0: the recent steps), for tests and benchmarks.
  std::vector<SavedStep> export_history_tier(std::size_t tier, MonoTime now,
                                             std::size_t newest = SIZE_MAX) const;
  /// Puts saved steps back, `gap` before the store's start; call after
  /// import_rows and before the first close_step.
  void import_history(const std::vector<SavedStep>& steps, std::chrono::milliseconds gap);

  /// The closed steps' bytes and what their keys name, for the history
  /// file (no steps without a history): one copy of the steps, under the lock.
  HistoryImage export_history_image(MonoTime now, std::int64_t wall_now_ms) const;
  /// Puts the steps of a history file back (call as import_history): the
  /// whole file is checked first, then read again step by step, so a
  /// damaged file (`damage` set) leaves the history untouched.
  Result<HistoryFileSummary> import_history_file(const std::string& path, std::int64_t wall_now_ms);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace asncounter
