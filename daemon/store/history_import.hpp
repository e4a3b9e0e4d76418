#pragma once
// Hands a history file's records to a History (history_file.hpp's sink):
// the file's keys are mapped once each to the history's keys, as named by
// their prefix and ASN (the table may have changed since the save), then
// every step's entries through that map. What it holds beyond the history
// is the map (8 bytes a key) and one step's entries.

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "daemon/store/history.hpp"
#include "daemon/store/history_file.hpp"

namespace asncounter {

class HistoryFileImport final : public HistoryFileSink {
 public:
  /// `wall_now_ms`: the present by the wall clock, which places the steps
  /// (the downtime shows as a gap before them).
  HistoryFileImport(History& history, std::int64_t wall_now_ms)
      : history_(history), wall_now_ms_(wall_now_ms) {}
  ~HistoryFileImport() { finish(); }

  void saved_at(std::int64_t wall_ms) override;
  void keys(std::span<const HistoryFileKey> keys) override;
  void step(std::chrono::milliseconds age_from, std::chrono::milliseconds age_to,
            std::vector<StepEntry>& entries, const ImportedStep& how) override;
  /// Ends the import (the rolling sums take the recent steps); idempotent.
  void finish();

 private:
  History& history_;
  std::int64_t wall_now_ms_;
  bool taking_ = false;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> map_;  ///< file key -> history key, ascending
};

}  // namespace asncounter
