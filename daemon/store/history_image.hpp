#pragma once
// The history's closed steps copied for a save (history_file.*): their
// encoded bytes exactly as they are in memory, and what their keys name.
// Copying the bytes costs one memcpy per step under the store's lock; the
// saver thread writes them out afterwards, so the lock is never held for
// the disk and the copy is the only extra memory a save needs.

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "common/table/lpm_table.hpp"
#include "daemon/store/history_config.hpp"
#include "daemon/store/step_codec.hpp"
#include "daemon/store/store_rows.hpp"

namespace asncounter {

struct ImageStep {
  std::chrono::milliseconds age_from{};  ///< how long before the save the step started
  std::chrono::milliseconds age_to{};    ///< and ended
  EncodedStep data;                      ///< keys as in memory (see History)
  ImportedStep how{};                    ///< its tier, and what the tier needs to know of it
};

struct HistoryImage {
  std::int64_t saved_at_ms{};             ///< wall time of the save, Unix milliseconds
  std::shared_ptr<const LpmTable> table;  ///< names the keys below kOrphanKey (prefix ids)
  std::vector<RowKey> orphans;            ///< names kOrphanKey | i
  std::vector<ImageStep> steps;           ///< tier by tier, finest first; in a tier oldest first
  std::size_t bytes() const {
    std::size_t b = orphans.size() * sizeof(RowKey);
    for (const ImageStep& s : steps) b += s.data.data.size();
    return b;
  }
};

}  // namespace asncounter
