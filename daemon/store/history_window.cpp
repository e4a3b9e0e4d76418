// The history's window sums: the rolling sums kept up to date as steps come
// and go (apply), and a window query (window_sums), which adds the step in
// progress, in one vectorised blocked pass over the live shards, to a
// rolling sum or to the closed steps it covers.
#include "daemon/store/history.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/saturating.hpp"
#include "daemon/store/history_sums.hpp"

namespace asncounter {

using history_detail::moved;

namespace {

// Adds (sign > 0) or takes away (sign < 0): a rolling sum takes away the
// steps that leave its window. Unsigned, so a take-away that wraps on its
// own is still right once every step in the sum is counted (modulo 2^64).
void add_signed(std::uint64_t* a, std::size_t i, std::uint64_t v, int sign) {
  if (sign > 0)
    a[i] += v;
  else
    a[i] -= v;
}

Counts& add_signed(Counts& to, const Counts& c, int sign) {
  if (sign > 0) {
    add_wrapping(to, c);  // modular like the take-away below
    return to;
  }
  subtract_wrapping(to, c);
  return to;
}

/// Ids summed per block by live_window: a block's partial sums (64 KiB per
/// field) stay in L2, and a shard lock is held for one block at a time
/// (writers wait microseconds, not the milliseconds of a whole pass).
constexpr std::size_t kLiveBlock = 8192;

/// One field of a window's step in progress: the shards' `live` arrays
/// minus the snapshot `snap`, plus the rolling sum `roll` when there is one.
struct LiveField {
  CounterArray ShardCounters::*live;
  bool ShardCounters::*touched;
  const CounterArray* snap;
  const CounterArray* roll;
  std::vector<std::uint64_t>* out;
};

// The block loops below run on a constant length over pointers that do not
// alias, which is what lets -O2 vectorise them; the last, shorter block of
// a table takes the same loops on its length.

/// to[i] += from[i]; returns the OR of `from` (the overflow test below).
std::uint64_t add_or(std::uint64_t* __restrict__ to, const std::uint64_t* __restrict__ from,
                     std::size_t len) {
  std::uint64_t high = 0;
  if (len == kLiveBlock) {
    for (std::size_t i = 0; i < kLiveBlock; ++i) high |= from[i], to[i] += from[i];
  } else {
    for (std::size_t i = 0; i < len; ++i) high |= from[i], to[i] += from[i];
  }
  return high;
}

/// to[i] = live[i] - snap[i] (+ roll[i]).
void combine(std::uint64_t* __restrict__ to, const std::uint64_t* __restrict__ live,
             const std::uint64_t* __restrict__ snap, const std::uint64_t* __restrict__ roll,
             std::size_t len) {
  if (roll && len == kLiveBlock) {
    for (std::size_t i = 0; i < kLiveBlock; ++i) to[i] = live[i] - snap[i] + roll[i];
  } else if (roll) {
    for (std::size_t i = 0; i < len; ++i) to[i] = live[i] - snap[i] + roll[i];
  } else if (len == kLiveBlock) {
    for (std::size_t i = 0; i < kLiveBlock; ++i) to[i] = live[i] - snap[i];
  } else {
    for (std::size_t i = 0; i < len; ++i) to[i] = live[i] - snap[i];
  }
}

/// out[id] = the shards' field summed (saturating, as sum_shards does) -
/// snap[id] (+ roll[id]) for every field, block by block in one pass that
/// writes each `out` once. Zeroing `out`, adding every shard into it and
/// then folding in the snapshot and rolling sum moved about twice the
/// memory: the largest cost of a windowed query on a full table. Every
/// field of a block is read under one lock per shard, so an event is in
/// with all of its fields or not at all. `block` is scratch space.
///
/// Saturating adds do not vectorise, so shards are added plainly while
/// every value seen in the block is below 2^55: at most 256 shards of those
/// cannot reach 2^64. A shard with a larger value (hostile byte counts) is
/// taken back out exactly and the block goes on saturating.
void live_window(Generation& g, std::span<const LiveField> fields, std::vector<std::uint64_t>& block) {
  const std::size_t n = g.id_count();
  for (const LiveField& f : fields) f.out->resize(n);
  block.resize(kLiveBlock * fields.size());
  for (std::size_t from = 0; from < n; from += kLiveBlock) {
    const std::size_t len = std::min(kLiveBlock, n - from);
    std::fill_n(block.data(), kLiveBlock * fields.size(), std::uint64_t{0});
    bool saturate[4] = {};
    for (std::size_t s = 0; s < g.shard_count(); ++s) {
      auto sh = g.shard(s).lock();
      for (std::size_t k = 0; k < fields.size(); ++k) {
        if (!((*sh).*fields[k].touched)) continue;
        std::uint64_t* live = block.data() + k * kLiveBlock;
        const std::uint64_t* f = ((*sh).*fields[k].live).data() + from;
        if (!saturate[k] && add_or(live, f, len) >> 55) {
          for (std::size_t i = 0; i < len; ++i) live[i] -= f[i];
          saturate[k] = true;
        }
        if (saturate[k])
          for (std::size_t i = 0; i < len; ++i) live[i] = saturating_add(live[i], f[i]);
      }
    }
    for (std::size_t k = 0; k < fields.size(); ++k)
      combine(fields[k].out->data() + from, block.data() + k * kLiveBlock, fields[k].snap->data() + from,
              fields[k].roll ? fields[k].roll->data() + from : nullptr, len);
  }
}

}  // namespace

void History::apply(Rolling& r, const EncodedStep& step, int sign) const {
  Track& t = r.sums;
  std::uint64_t *h = t.hits.data(), *b = t.bytes.data(), *ls = t.latency_sum.data(),
                *ln = t.latency_samples.data();
  const bool bytes = step.fields & EncodedStep::kBytes, latency = step.fields & EncodedStep::kLatency;
  t.bytes_touched = t.bytes_touched || bytes;
  t.latency_touched = t.latency_touched || latency;
  for_each_entry(step, [&](std::uint32_t key, const Counts& c) {
    if (key & kOrphanKey) {
      add_signed(r.orphans[key], c, sign);
      return;
    }
    add_signed(h, key, c.hits, sign);
    if (bytes) add_signed(b, key, c.bytes, sign);
    if (latency) {
      add_signed(ls, key, c.latency_us_sum, sign);
      add_signed(ln, key, c.latency_samples, sign);
    }
  });
}

std::size_t History::first_index(const Rolling& r) const {
  std::size_t i = steps_.size();
  while (i > 0 && steps_[i - 1].seq >= r.first_seq) --i;
  return i;
}

void History::add_key(std::uint32_t key, const Counts& c, Summed& out, std::vector<Counts>& orphans) const {
  if (key & kOrphanKey) {
    const std::uint32_t i = key & ~kOrphanKey;
    if (i >= orphans.size()) orphans.resize(orphan_keys_.size());  // interned during this sum
    add_wrapping(orphans[i], c);                                   // c may be a step taken away
  } else
    out.add_at(key, c);
}

WindowSpan History::window_sums(const Window& w, Retired retired, Summed& out, RowMap& extra) {
  const MonoTime to = std::max(w.now, last_close_);
  const MonoTime lower = to - w.length;
  // The finest tier covering the window; a coarse one reads its own steps
  // and the steps being filled, which hold everything after them.
  const std::size_t tier = tier_for(lower);
  const std::deque<Step>& steps = tier == 0 ? steps_ : tiers_[tier - 1]->steps;
  // Which whole steps: those that start inside the window, steps[i..].
  std::size_t i = steps.size();
  while (i > 0 && steps[i - 1].from >= lower) --i;
  MonoTime from = i < steps.size() ? steps[i].from : last_close_;
  for (std::size_t j = tier; j > 0; --j)
    if (tiers_[j - 1]->filling && (i == steps.size() || j < tier))
      from = std::min(from, tiers_[j - 1]->filling->from);
  // Summing them one by one costs their entries; a rolling sum holding
  // steps_[j..] costs a pass over the ids plus the steps between i and j.
  const Rolling* best = nullptr;
  std::size_t best_j = 0, cost = steps.size() - i;
  for (const auto& r : rolling_) {
    if (tier != 0) break;  // rolling sums hold recent steps
    std::size_t j = first_index(*r);
    std::size_t c = 2 + (j > i ? j - i : i - j);  // the dense pass: about two steps' worth
    if (c < cost) best = r.get(), best_j = j, cost = c;
  }

  // The step in progress (the live arrays minus the last close) plus the
  // rolling sum, in one pass. A field is there when the live shards, the
  // snapshot or the rolling sum have it.
  const Track& cur = track(*current_);
  const Track* rt = best ? &best->sums : nullptr;
  bool live_bytes = false, live_latency = false;
  for (std::size_t s = 0; s < current_->shard_count(); ++s) {
    auto sh = current_->shard(s).lock();
    live_bytes = live_bytes || sh->bytes_touched;
    live_latency = live_latency || sh->latency_touched;
  }
  const bool roll_bytes = rt && rt->bytes_touched, roll_latency = rt && rt->latency_touched;
  LiveField fields[4];
  std::size_t count = 0;
  fields[count++] = {&ShardCounters::hits, &ShardCounters::touched, &cur.hits, rt ? &rt->hits : nullptr,
                     &out.hits};
  // A field kept from the last query is only resized (to the same size): no
  // zeroing pass, live_window writes every element.
  if (live_bytes || cur.bytes_touched || roll_bytes)
    fields[count++] = {&ShardCounters::bytes, &ShardCounters::bytes_touched, &cur.bytes,
                       roll_bytes ? &rt->bytes : nullptr, &out.bytes};
  else
    out.bytes.clear();
  if (live_latency || cur.latency_touched || roll_latency) {
    fields[count++] = {&ShardCounters::latency_sum, &ShardCounters::latency_touched, &cur.latency_sum,
                       roll_latency ? &rt->latency_sum : nullptr, &out.latency_sum};
    fields[count++] = {&ShardCounters::latency_samples, &ShardCounters::latency_touched, &cur.latency_samples,
                       roll_latency ? &rt->latency_samples : nullptr, &out.latency_samples};
  } else {
    out.latency_sum.clear();
    out.latency_samples.clear();
  }
  live_window(*current_, std::span<const LiveField>(fields, count), live_block_);
  // Orphan keys (an ASN's "other prefixes" of every coarse step among
  // them) are summed by index, then made rows once: a week of hourly
  // steps holds ~10M of them, each a hash update of the rows otherwise.
  std::vector<Counts>& orphans = orphan_scratch_;
  orphans.assign(orphan_keys_.size(), Counts{});
  for (const auto& g : retired) {
    Track& t = track(*g);
    diff(*g, t, false, [&](PrefixId id, const Counts& c) { add_key(translate(*g, t, id), c, out, orphans); });
  }
  for (const auto& [k, c] : pending_) add_key(k, c, out, orphans);

  auto add_step = [&](const EncodedStep& st, int sign) {
    for_each_entry(st, [&](std::uint32_t key, const Counts& c) {
      if (sign > 0) return add_key(key, c, out, orphans);
      Counts neg;
      add_signed(neg, c, -1);  // wraps: the sum stays right modulo 2^64 and ends non-negative
      add_key(key, neg, out, orphans);
    });
  };
  Counts error;
  if (best) {
    for (const auto& [k, c] : best->orphans) add_key(k, c, out, orphans);
    for (std::size_t k = i; k < best_j; ++k) add_step(steps_[k].data, +1);
    for (std::size_t k = best_j; k < i; ++k) add_step(steps_[k].data, -1);
  } else if (tier != 0 && 2 * i < steps.size()) {
    // Most of a coarse tier: its sum, less the few steps before the window.
    const Tier& t = *tiers_[tier - 1];
    add_step(t.total, +1);
    error = t.total_bound;
    for (std::size_t k = 0; k < i; ++k) {
      add_step(steps[k].data, -1);
      subtract_wrapping(error, steps[k].bound);
    }
  } else {
    for (std::size_t k = i; k < steps.size(); ++k) add_step(steps[k].data, +1), error += steps[k].bound;
  }
  for (std::size_t j = tier; j > 0; --j)
    if (tiers_[j - 1]->filling) add_step(tiers_[j - 1]->filling->data, +1);
  // Rows that cancelled out (a rolling sum's orphan minus its step) are not rows.
  for (std::size_t k = 0; k < orphans.size(); ++k)
    if (moved(orphans[k])) add_wrapping(extra[orphan_keys_[k]], orphans[k]);
  std::erase_if(extra, [](const auto& e) { return !moved(e.second); });
  WindowSpan span{w.length, from, to, i == 0 && from > lower, {}, error};
  span.resolution = tier == 0 ? config_.step : tiers_[tier - 1]->config.resolution;
  return span;
}

}  // namespace asncounter
