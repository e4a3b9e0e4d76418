// The history in the state file (format 2): its steps exported as (prefix,
// ASN) rows aged from the save, and put back at start.
#include "daemon/store/history.hpp"

#include <chrono>
#include <cstdint>
#include <utility>
#include <vector>

#include "daemon/store/history_sums.hpp"

namespace asncounter {

using history_detail::sort_merge;

std::vector<SavedStep> History::export_steps(MonoTime now) const {
  std::vector<SavedStep> out;
  auto age = [&](MonoTime t) { return std::chrono::duration_cast<std::chrono::milliseconds>(now - t); };
  for (const Step& st : steps_) {
    SavedStep s{age(st.from), age(st.to), {}};
    for_each_entry(st.data, [&](std::uint32_t key, const Counts& c) {
      PrefixRow row;
      row.counts = c;
      if (key & kOrphanKey) {
        const RowKey& k = orphan_keys_[key & ~kOrphanKey];
        row.prefix = k.prefix, row.asn = k.asn;
      } else if (key != kUnrouted) {
        row.prefix = current_->table()->prefix(key), row.asn = current_->table()->asn(key);
      }
      s.rows.push_back(std::move(row));
    });
    out.push_back(std::move(s));
  }
  return out;
}

void History::import_steps(const std::vector<SavedStep>& saved, std::chrono::milliseconds gap) {
  if (!steps_.empty() || last_close_ != origin_) return;  // only into a fresh history
  // Ages are checked against the present before any time is made of them:
  // INT64_MAX ms overflowed the conversion to the clock's nanoseconds and
  // put an ancient step inside a 60 s window. Nothing older than the span
  // is kept anyway; twice the span leaves room for a coarse step's start.
  const auto span = std::chrono::duration_cast<std::chrono::milliseconds>(config_.span);
  if (gap.count() < 0 || gap >= span) return;  // every step ended before the span
  const MonoTime saved_now = origin_ - gap;
  std::chrono::milliseconds last_age = std::chrono::milliseconds::max();
  for (const SavedStep& s : saved) {
    if (s.age_from > 2 * span) continue;  // older than anything kept, or forged
    // Oldest first, each ending after it starts and before the next one
    // starts: a file that says otherwise keeps the steps read so far.
    if (s.age_to.count() < 0 || s.age_from <= s.age_to || s.age_from > last_age) break;
    last_age = s.age_to;
    entries_.clear();
    for (const PrefixRow& r : s.rows) {
      std::uint32_t key = r.prefix && r.asn ? intern(RowKey{*r.prefix, *r.asn}) : kUnrouted;
      entries_.push_back(StepEntry{key, r.counts});
    }
    sort_merge(entries_);
    steps_.push_back(Step{saved_now - s.age_from, saved_now - s.age_to, next_seq_++, encode_step(entries_)});
    step_bytes_ += steps_.back().data.memory();
  }
  // The rolling sums hold the imported steps that start inside their window.
  for (auto& r : rolling_) {
    r->first_seq = next_seq_;
    for (std::size_t i = steps_.size(); i > 0 && steps_[i - 1].from > origin_ - r->length; --i) {
      apply(*r, steps_[i - 1].data, +1);
      r->first_seq = steps_[i - 1].seq;
    }
  }
  age(origin_);
}

}  // namespace asncounter
