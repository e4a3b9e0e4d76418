#include "daemon/store/history_import.hpp"

#include <algorithm>
#include <chrono>

#include "daemon/store/gallop.hpp"

namespace asncounter {

void HistoryFileImport::saved_at(std::int64_t wall_ms) {
  taking_ = history_.begin_import(downtime_since(wall_ms, wall_now_ms_));
}

void HistoryFileImport::keys(std::span<const HistoryFileKey> keys) {
  if (!taking_) return;
  for (const HistoryFileKey& k : keys) map_.emplace_back(k.key, history_.import_key(k.name));
}

void HistoryFileImport::step(std::chrono::milliseconds age_from, std::chrono::milliseconds age_to,
                             std::vector<StepEntry>& entries, const ImportedStep& how) {
  if (!taking_) return;
  // Both ascend: one forward search per entry. The reader named every key.
  auto it = map_.cbegin();
  for (StepEntry& e : entries) {
    if (e.key == kUnrouted) continue;
    it = gallop_lower_bound(it, map_.cend(), e.key,
                            [](const auto& m, std::uint32_t k) { return m.first < k; });
    e.key = it != map_.cend() && it->first == e.key ? it->second : kUnrouted;
  }
  history_.import_step(age_from, age_to, entries, how);
}

void HistoryFileImport::finish() {
  if (!taking_) return;
  taking_ = false;
  history_.end_import();
  map_ = {};
}

}  // namespace asncounter
