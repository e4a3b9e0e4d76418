// The history's side of saving and loading: an image of the closed steps
// for the history file (their encoded bytes, copied), rows for the series
// and older state files, and the import, one step at a time, that puts
// saved steps back at start.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <utility>
#include <vector>

#include "daemon/store/history.hpp"
#include "daemon/store/history_sums.hpp"

namespace asncounter {

using history_detail::sort_merge;

namespace {
std::chrono::milliseconds age_at(MonoTime now, MonoTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(now - t);
}
}  // namespace

SavedStep History::saved_step(MonoTime now, const Step& st) const {
  SavedStep s{age_at(now, st.from), age_at(now, st.to), {}};
  s.rows.reserve(st.data.entries);
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
  return s;
}

std::vector<SavedStep> History::export_steps(MonoTime now, std::chrono::seconds window) const {
  const std::size_t tier = window.count() > 0 ? tier_for(std::max(now, last_close_) - window) : 0;
  std::vector<SavedStep> out = export_tier(tier, now, SIZE_MAX);
  for (std::size_t j = tier; j > 0; --j)
    if (tiers_[j - 1]->filling) out.push_back(saved_step(now, *tiers_[j - 1]->filling));
  return out;
}

std::vector<SavedStep> History::export_tier(std::size_t tier, MonoTime now, std::size_t newest) const {
  std::vector<SavedStep> out;
  if (tier > tiers_.size()) return out;
  const std::deque<Step>& steps = tier == 0 ? steps_ : tiers_[tier - 1]->steps;
  for (std::size_t i = steps.size() - std::min(newest, steps.size()); i < steps.size(); ++i)
    out.push_back(saved_step(now, steps[i]));
  return out;
}

HistoryImage History::export_image(MonoTime now) const {
  HistoryImage image;
  image.table = current_->table();
  image.orphans = orphan_keys_;
  image.steps.reserve(steps_.size());
  for (const Step& st : steps_)
    image.steps.push_back(ImageStep{age_at(now, st.from), age_at(now, st.to), st.data});
  for (std::size_t t = 0; t < tiers_.size(); ++t) {
    const auto tier = static_cast<std::uint8_t>(t + 1);
    for (const Step& st : tiers_[t]->steps)
      image.steps.push_back(
          ImageStep{age_at(now, st.from), age_at(now, st.to), st.data, ImportedStep{tier, false, st.bound}});
    if (const auto& f = tiers_[t]->filling)
      image.steps.push_back(
          ImageStep{age_at(now, f->from), age_at(now, f->to), f->data, ImportedStep{tier, true, {}}});
  }
  return image;
}

bool History::begin_import(std::chrono::milliseconds gap) {
  import_.reset();
  if (!steps_.empty() || last_close_ != origin_) return false;  // only into a fresh history
  // Ages are checked against the present before any time is made of them:
  // INT64_MAX ms overflowed the conversion to the clock's nanoseconds and
  // put an ancient step inside a 60 s window. Nothing older than the span
  // is kept anyway; twice the span leaves room for a coarse step's start.
  const auto span = std::chrono::duration_cast<std::chrono::milliseconds>(config_.span);
  if (gap.count() < 0 || gap >= span) return false;  // every step ended before the span
  import_ = Import{origin_ - gap, gap, {}, false};
  import_->last_age.assign(tiers_.size() + 1, std::chrono::milliseconds::max());
  // No rolling sum holds an imported step until end_import(): meanwhile
  // ageing may drop or merge any of them without touching the sums.
  for (auto& r : rolling_) r->first_seq = UINT64_MAX;
  return true;
}

std::uint32_t History::import_key(const RowKey& k) { return intern(k); }

void History::import_step(std::chrono::milliseconds age_from, std::chrono::milliseconds age_to,
                          std::vector<StepEntry>& entries, const ImportedStep& how) {
  if (!import_ || import_->stopped || how.tier > tiers_.size()) return;
  const auto span = std::chrono::duration_cast<std::chrono::milliseconds>(config_.span);
  if (age_from > 2 * span - import_->gap) return;  // older than anything kept, or forged
  // In each tier oldest first, each ending after it starts and before the
  // next one starts, a step being filled last: a file that says otherwise
  // keeps the steps read so far.
  std::chrono::milliseconds& last_age = import_->last_age[how.tier];
  if (age_to.count() < 0 || age_from <= age_to || age_from > last_age || (how.filling && how.tier == 0)) {
    import_->stopped = true;
    return;
  }
  last_age = how.filling ? std::chrono::milliseconds::min() : age_to;
  // Ids follow prefix order in every table, so a step usually arrives sorted.
  if (!std::is_sorted(entries.begin(), entries.end(),
                      [](const StepEntry& a, const StepEntry& b) { return a.key <= b.key; }))
    sort_merge(entries);
  Step step{import_->saved_now - age_from, import_->saved_now - age_to, 0, encode_step(entries), how.bound};
  if (how.tier == 0) {
    step.seq = next_seq_++;
    steps_.push_back(std::move(step));
    step_bytes_ += steps_.back().data.memory();
  } else if (how.filling) {
    tiers_[how.tier - 1]->filling = std::move(step);
  } else {
    tiers_[how.tier - 1]->push_back(std::move(step));
  }
  // Ageing as they come (the span, the cap) bounds what a long file costs.
  age(origin_);
}

void History::end_import() {
  if (!import_) return;
  import_.reset();
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

void History::import_steps(const std::vector<SavedStep>& saved, std::chrono::milliseconds gap) {
  if (!begin_import(gap)) return;
  std::vector<StepEntry> entries;
  for (const SavedStep& s : saved) {
    entries.clear();
    for (const PrefixRow& r : s.rows)
      entries.push_back(
          StepEntry{r.prefix && r.asn ? import_key(RowKey{*r.prefix, *r.asn}) : kUnrouted, r.counts});
    import_step(s.age_from, s.age_to, entries);
  }
  end_import();
}

}  // namespace asncounter
