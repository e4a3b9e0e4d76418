// The history's recent steps: closing a step (diff against the snapshot,
// sort, encode) and handing it to the coarse tiers, keeping keys right
// across table swaps, ageing (span, the memory cap), reset and stats. The
// coarse tiers live in history_tiers.cpp, window sums in
// history_window.cpp, the history file's side in history_state.cpp.
#include "daemon/store/history.hpp"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "daemon/store/history_sums.hpp"

namespace asncounter {

using history_detail::moved;
using history_detail::sort_merge;

namespace {

constexpr std::uint32_t kUnmapped = UINT32_MAX;

}  // namespace

void history_detail::sort_merge(std::vector<StepEntry>& v) {
  std::sort(v.begin(), v.end(), [](const StepEntry& a, const StepEntry& b) { return a.key < b.key; });
  std::size_t out = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (out && v[out - 1].key == v[i].key)
      v[out - 1].counts += v[i].counts;
    else
      v[out++] = v[i];
  }
  v.resize(out);
}

History::History(const HistoryConfig& config, MonoTime start, Generation& current)
    : config_(config), origin_(start), last_close_(start), current_(&current) {
  if (config_.step.count() <= 0) config_.step = std::chrono::seconds(1);
  tracks_.emplace(&current, std::make_unique<Track>(current.id_count()));
  // A tier no coarser than the one before it would hold nothing new.
  std::chrono::seconds finest = config_.step;
  for (const TierConfig& t : config_.tiers) {
    if (t.resolution <= finest || t.span.count() <= 0) continue;
    tiers_.push_back(std::make_unique<Tier>(t));
    finest = t.resolution;
  }
  for (std::chrono::seconds l : config_.rolling) {
    // A rolling sum holds recent steps only.
    if (l.count() <= 0 || l >= recent_keep()) continue;
    rolling_.push_back(std::make_unique<Rolling>(l, current.id_count(), 0));
  }
}

History::~History() = default;

History::Track& History::track(const Generation& g) {
  auto& t = tracks_[&g];
  if (!t) t = std::make_unique<Track>(g.id_count());
  return *t;
}

std::uint32_t History::intern(const RowKey& k) {
  if (!is_other_prefixes(k))
    if (auto id = current_->find(k.prefix, k.asn)) return *id;
  auto [it, fresh] = orphan_index_.try_emplace(k, static_cast<std::uint32_t>(orphan_keys_.size()));
  if (fresh) orphan_keys_.push_back(k);
  return kOrphanKey | it->second;
}

std::uint32_t History::translate(Generation& g, Track& t, PrefixId id) {
  if (id == kUnrouted) return kUnrouted;
  if (t.memo.empty()) t.memo.assign(g.id_count(), kUnmapped);
  std::uint32_t& k = t.memo[id];
  if (k == kUnmapped) k = intern(RowKey{g.table()->prefix(id), g.table()->asn(id)});
  return k;
}

void History::table_swapped(Generation& previous, Generation& next, Retired retired) {
  // Keys of the previous key space, mapped lazily: previous's ids through
  // its memo, old orphans through orphan_map.
  Track& prev = track(previous);
  std::vector<RowKey> old_orphans = std::move(orphan_keys_);
  orphan_keys_.clear();
  orphan_index_.clear();  // rebuilt with only the keys still in use
  current_ = &next;
  track(next);
  for (const auto& g : retired) track(*g).memo.clear();  // their memos named the previous table's keys
  prev.memo.clear();
  std::vector<std::uint32_t> orphan_map(old_orphans.size(), kUnmapped);
  auto map_key = [&](std::uint32_t k) {
    if (!(k & kOrphanKey)) return translate(previous, prev, k);
    std::uint32_t& m = orphan_map[k & ~kOrphanKey];
    if (m == kUnmapped) m = intern(old_orphans[k & ~kOrphanKey]);
    return m;
  };
  auto remap = [&](EncodedStep& data) {
    std::vector<StepEntry> v = decode_step(data);
    bool sorted = true;
    for (std::size_t i = 0; i < v.size(); ++i) {
      v[i].key = map_key(v[i].key);
      if (i && v[i].key <= v[i - 1].key) sorted = false;
    }
    // Prefix ids follow prefix order in both tables, so most steps stay sorted.
    if (!sorted) sort_merge(v);
    data = encode_step(v);
    return data.memory();
  };
  step_bytes_ = 0;
  for (Step& s : steps_) step_bytes_ += remap(s.data);
  for (auto& tier : tiers_) {
    tier->step_bytes = 0;
    for (Step& s : tier->steps) tier->step_bytes += remap(s.data);
    remap(tier->total);
    if (tier->filling) remap(tier->filling->data);
  }
  std::unordered_map<std::uint32_t, Counts> pending;
  for (const auto& [k, c] : pending_) pending[map_key(k)] += c;
  pending_ = std::move(pending);
  for (auto& r : rolling_) {
    auto next_r = std::make_unique<Rolling>(r->length, next.id_count(), r->first_seq);
    const Track& o = r->sums;
    auto put = [&](std::uint32_t key, const Counts& c) {
      if (!moved(c)) return;
      std::uint32_t k = map_key(key);
      if (k & kOrphanKey) {
        add_wrapping(next_r->orphans[k], c);  // a rolling sum: modular
        return;
      }
      next_r->sums.add(k, c);
    };
    for (PrefixId id = 0; id < previous.id_count(); ++id) {
      Counts c{o.hits[id], o.bytes_touched ? o.bytes[id] : 0, o.latency_touched ? o.latency_sum[id] : 0,
               o.latency_touched ? o.latency_samples[id] : 0};
      put(id, c);
    }
    for (const auto& [k, c] : r->orphans) put(k, c);
    r = std::move(next_r);
  }
}

void History::retire(Generation& g) {
  auto it = tracks_.find(&g);
  if (it == tracks_.end()) return;
  Track& t = *it->second;
  diff(g, t, false, [&](PrefixId id, const Counts& c) { pending_[translate(g, t, id)] += c; });
  tracks_.erase(it);
}

void History::absorbed(PrefixId id, const Counts& c) { track(*current_).add(id, c); }

void History::close_step(MonoTime now, Retired retired) {
  if (now <= last_close_) return;
  entries_.clear();
  diff(*current_, track(*current_), true, [&](PrefixId id, const Counts& c) {
    entries_.push_back(StepEntry{id, c});
  });
  bool sorted = true;
  for (const auto& g : retired) {
    Track& t = track(*g);
    diff(*g, t, true, [&](PrefixId id, const Counts& c) {
      entries_.push_back(StepEntry{translate(*g, t, id), c});
      sorted = false;
    });
  }
  for (const auto& [k, c] : pending_) entries_.push_back(StepEntry{k, c}), sorted = false;
  pending_.clear();
  if (!sorted) sort_merge(entries_);
  steps_.push_back(Step{last_close_, now, next_seq_++, encode_step(entries_)});
  step_bytes_ += steps_.back().data.memory();
  if (!tiers_.empty()) feed_tier(0, Closed{last_close_, now, steps_.back().data});
  last_close_ = now;
  for (auto& r : rolling_) {
    apply(*r, steps_.back().data, +1);
    for (std::size_t i = first_index(*r); i < steps_.size() && steps_[i].from <= now - r->length; ++i) {
      apply(*r, steps_[i].data, -1);
      r->first_seq = steps_[i].seq + 1;
    }
  }
  age(now);
}

std::chrono::seconds History::recent_keep() const {
  // Without coarse tiers the recent steps are all there is: kept for the span.
  return tiers_.empty() ? config_.span : std::min(config_.recent, config_.span);
}

void History::drop_front() {
  for (auto& r : rolling_) {
    if (steps_.front().seq < r->first_seq) continue;
    apply(*r, steps_.front().data, -1);
    r->first_seq = steps_.front().seq + 1;
  }
  step_bytes_ -= steps_.front().data.memory();
  steps_.pop_front();
}

void History::age(MonoTime now) {
  while (!steps_.empty() && steps_.front().to <= now - recent_keep()) drop_front();
  age_tiers(now);
  while (held_bytes() > config_.max_bytes && drop_for_cap()) {
  }
}

void History::reset() {
  forget_steps();
  for (auto& [g, t] : tracks_) t->clear();
}

void History::forget_steps() {
  steps_.clear();
  pending_.clear();
  orphan_keys_.clear();
  orphan_index_.clear();
  step_bytes_ = 0;
  for (auto& tier : tiers_) *tier = Tier(tier->config);
  for (auto& r : rolling_) {
    r->sums.clear();
    r->orphans.clear();
    r->first_seq = next_seq_;
  }
}

void History::forget_live() {
  for (auto& [g, t] : tracks_) t->clear();
}

HistoryStats History::stats() const {
  HistoryStats s;
  s.enabled = true;
  s.to = last_close_;
  s.bytes = held_bytes();
  s.dropped_steps = dropped_;
  TierStats recent{config_.step, covered_from(0), steps_.size(), 0, step_bytes_, dropped_, 0};
  for (const Step& st : steps_) recent.entries += st.data.entries;
  s.tiers.push_back(recent);
  for (std::size_t t = 0; t < tiers_.size(); ++t) {
    const Tier& tier = *tiers_[t];
    TierStats ts{tier.config.resolution, covered_from(t + 1), tier.steps.size(), 0,
                 tier.bytes(),           tier.dropped,        tier.folded};
    for (const Step& st : tier.steps) ts.entries += st.data.entries;
    if (tier.filling) ts.entries += tier.filling->data.entries;
    s.tiers.push_back(ts);
    s.dropped_steps += tier.dropped;
  }
  s.from = last_close_;
  for (const TierStats& ts : s.tiers) {
    s.from = std::min(s.from, ts.from);
    s.steps += ts.steps;
    s.entries += ts.entries;
  }
  for (const auto& [g, t] : tracks_) {
    std::size_t fields = 1 + (t->bytes_touched ? 1 : 0) + (t->latency_touched ? 2 : 0);
    s.snapshot_bytes += t->hits.size() * sizeof(std::uint64_t) * fields + t->memo.capacity() * 4;
  }
  for (const auto& r : rolling_) {
    std::size_t fields = 1 + (r->sums.bytes_touched ? 1 : 0) + (r->sums.latency_touched ? 2 : 0);
    s.snapshot_bytes += r->sums.hits.size() * sizeof(std::uint64_t) * fields;
  }
  return s;
}

}  // namespace asncounter
