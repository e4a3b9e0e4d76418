// The history's coarse tiers (history.hpp): filling and closing their steps,
// folding each closed step (step_fold.hpp), ageing, and the memory cap,
// which takes from the finer tiers before it touches the coarsest.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "daemon/store/history.hpp"
#include "daemon/store/history_sums.hpp"
#include "daemon/store/step_fold.hpp"

namespace asncounter {

using history_detail::sort_merge;

namespace {

/// The bucket of length `res` that `t` falls in, buckets aligned on `origin`
/// (floor: imported steps lie before the origin).
std::int64_t bucket_of(MonoTime t, MonoTime origin, std::chrono::nanoseconds res) {
  const auto d = (t - origin).count(), r = res.count();
  return d >= 0 ? d / r : -((-d + r - 1) / r);
}

}  // namespace

std::uint32_t History::asn_of_key(std::uint32_t key) const {
  if (key & kOrphanKey) return orphan_keys_[key & ~kOrphanKey].asn;
  return current_->table()->asn(key);
}

History::Closed History::close_filling(Tier& tier) {
  Step& f = *tier.filling;
  Closed exact{f.from, f.to, std::move(f.data)};
  const std::vector<StepEntry> entries = decode_step(exact.data);
  FoldedEntries folded = fold_step(
      entries, config_.top_prefixes, [&](std::uint32_t key) { return asn_of_key(key); },
      [&](std::uint32_t key) {
        return key == kUnrouted || ((key & kOrphanKey) && is_other_prefixes(orphan_keys_[key & ~kOrphanKey]));
      });
  std::vector<StepEntry> kept = std::move(folded.kept);
  for (const StepEntry& o : folded.others)
    kept.push_back(StepEntry{intern(other_prefixes_key(o.key)), o.counts});
  if (!folded.others.empty()) sort_merge(kept);
  tier.folded += folded.folded;
  tier.push_back(Step{exact.from, exact.to, 0, encode_step(kept), folded.bound});
  tier.filling.reset();
  return exact;
}

void History::feed_tier(std::size_t t, Closed step) {
  if (t >= tiers_.size()) return;
  Tier& tier = *tiers_[t];
  const std::chrono::nanoseconds res = tier.config.resolution;
  std::vector<Closed> closed;
  // A step of another bucket (after a gap) closes the one being filled first.
  if (tier.filling && bucket_of(step.from, origin_, res) != bucket_of(tier.filling->from, origin_, res))
    closed.push_back(close_filling(tier));
  if (!tier.filling) {
    tier.filling = Step{step.from, step.to, 0, std::move(step.data), {}};
  } else {
    tier.filling->data = merge_steps(tier.filling->data, step.data);
    tier.filling->to = step.to;
  }
  const MonoTime bucket_end = origin_ + (bucket_of(tier.filling->from, origin_, res) + 1) * res;
  if (tier.filling->to >= bucket_end) closed.push_back(close_filling(tier));
  // The coarsest tier's exact steps go nowhere.
  if (t + 1 < tiers_.size())
    for (Closed& c : closed) feed_tier(t + 1, std::move(c));
}

void History::age_tiers(MonoTime now) {
  for (auto& tier : tiers_) {
    const auto keep = std::min(tier->config.span, config_.span);
    while (!tier->steps.empty() && tier->steps.front().to <= now - keep) tier->pop_front();
  }
}

std::size_t History::dictionary_bytes() const {
  return orphan_keys_.capacity() * sizeof(RowKey) +
         orphan_index_.size() * (sizeof(RowKey) + 2 * sizeof(void*) + sizeof(std::uint32_t));
}

std::size_t History::held_bytes() const {
  std::size_t b = step_bytes_ + dictionary_bytes();
  for (const auto& tier : tiers_) b += tier->bytes();
  return b;
}

bool History::drop_for_cap() {
  // The finer tiers give way first, the fullest of them: what they lose
  // the coarser tiers still hold, at their resolution. The coarsest tier
  // gives way last: it is what answers for the whole span.
  std::size_t victim = SIZE_MAX, most = 0;
  auto consider = [&](std::size_t index, std::size_t bytes, bool empty) {
    if (!empty && bytes > most) victim = index, most = bytes;
  };
  const std::size_t finer = tiers_.empty() ? 0 : tiers_.size() - 1;
  consider(0, step_bytes_, steps_.empty());
  for (std::size_t t = 0; t < finer; ++t) consider(t + 1, tiers_[t]->step_bytes, tiers_[t]->steps.empty());
  if (victim == SIZE_MAX && !tiers_.empty() && !tiers_.back()->steps.empty()) victim = tiers_.size();
  if (victim == SIZE_MAX) return false;
  if (victim == 0) {
    drop_front();
    ++dropped_;
    return true;
  }
  Tier& tier = *tiers_[victim - 1];
  tier.pop_front();
  ++tier.dropped;
  return true;
}

MonoTime History::covered_from(std::size_t t) const {
  if (t == 0) return steps_.empty() ? last_close_ : steps_.front().from;
  if (!tiers_[t - 1]->steps.empty()) return tiers_[t - 1]->steps.front().from;
  // Nothing closed yet: the steps being filled, this tier's or else a finer one's.
  for (std::size_t j = t; j > 0; --j)
    if (tiers_[j - 1]->filling) return tiers_[j - 1]->filling->from;
  return last_close_;
}

std::size_t History::tier_for(MonoTime lower) const {
  std::size_t best = 0;
  for (std::size_t t = 0; t <= tiers_.size(); ++t) {
    const MonoTime from = covered_from(t);
    if (from <= lower) return t;  // the finest that covers the window
    if (from < covered_from(best)) best = t;
  }
  return best;  // none covers it: the one reaching furthest back (clipped)
}

}  // namespace asncounter
