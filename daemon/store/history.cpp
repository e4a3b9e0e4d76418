#include "daemon/store/history.hpp"

#include <algorithm>

#include "common/saturating.hpp"

namespace asncounter {

namespace {

constexpr std::uint32_t kUnmapped = UINT32_MAX;

bool moved(const Counts& c) { return c.hits || c.bytes || c.latency_us_sum || c.latency_samples; }

/// Sorts entries by key and adds up those with the same key.
void sort_merge(std::vector<StepEntry>& v) {
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

}  // namespace

/// A generation's counts at the last close (summed over shards), and for a
/// replaced generation the memo of its ids' keys in the current table.
struct History::Track {
  explicit Track(std::size_t ids) : hits(ids), bytes(ids), latency_sum(ids), latency_samples(ids) {}
  CounterArray hits, bytes, latency_sum, latency_samples;  // mmap: untouched fields cost nothing
  std::vector<std::uint32_t> memo;
  bool bytes_touched = false, latency_touched = false;
  void clear() {
    hits.clear();
    bytes.clear();
    latency_sum.clear();
    latency_samples.clear();
    bytes_touched = latency_touched = false;
    memo.clear();
  }
};

/// The sum of the newest steps covering `length`: every step from seq
/// `first_seq` on, as dense arrays of the current table's ids plus orphan keys.
/// It holds the steps that start strictly after the last close - `length`:
/// those a query of `length` takes at any time after that close and before
/// the next (it asks from now - length, past the last close - length), so
/// such a query adds or takes away no step of its own. Holding the step
/// that starts exactly at last close - length instead made every query
/// between closes take that step away again: a whole step's entries
/// decoded, a few ms with a full table's traffic.
struct History::Rolling {
  Rolling(std::chrono::seconds l, std::size_t ids, std::uint64_t first)
      : length(l), sums(ids), first_seq(first) {}
  std::chrono::seconds length;
  Track sums;
  std::unordered_map<std::uint32_t, Counts> orphans;
  std::uint64_t first_seq;
};

namespace {

void add_signed(std::uint64_t* a, std::size_t i, std::uint64_t v, int sign) {
  if (sign > 0)
    a[i] += v;
  else
    a[i] -= v;
}

Counts& add_signed(Counts& to, const Counts& c, int sign) {
  if (sign > 0) return to += c;
  to.hits -= c.hits;
  to.bytes -= c.bytes;
  to.latency_us_sum -= c.latency_us_sum;
  to.latency_samples -= c.latency_samples;
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

History::History(const HistoryConfig& config, MonoTime start, Generation& current)
    : config_(config), origin_(start), last_close_(start), current_(&current) {
  if (config_.step.count() <= 0) config_.step = std::chrono::seconds(1);
  tracks_.emplace(&current, std::make_unique<Track>(current.id_count()));
  for (std::chrono::seconds l : config_.rolling) {
    // A rolling sum must never hold half of a coarsened step.
    if (l.count() <= 0 || (!config_.tiers.empty() && l >= config_.tiers.front().first)) continue;
    rolling_.push_back(std::make_unique<Rolling>(l, current.id_count(), 0));
  }
}

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

History::~History() = default;

History::Track& History::track(const Generation& g) {
  auto& t = tracks_[&g];
  if (!t) t = std::make_unique<Track>(g.id_count());
  return *t;
}

template <class F>
void History::diff(Generation& g, Track& t, bool update, F&& emit) {
  sum_shards(g, scratch_);
  const std::size_t n = g.id_count();
  const bool has_bytes = !scratch_.bytes.empty() || t.bytes_touched;
  const bool has_latency = !scratch_.latency_sum.empty() || t.latency_touched;
  if (has_bytes && scratch_.bytes.empty()) scratch_.bytes.assign(n, 0);
  if (has_latency && scratch_.latency_sum.empty())
    scratch_.latency_sum.assign(n, 0), scratch_.latency_samples.assign(n, 0);
  const std::uint64_t* h = scratch_.hits.data();
  std::uint64_t* sh = t.hits.data();
  for (PrefixId id = 0; id < n; ++id) {
    // Counters only grow between closes (reset, folding and import adjust
    // the snapshot under the same lock), so the difference is the move.
    Counts d;
    d.hits = h[id] - sh[id];
    if (has_bytes) d.bytes = scratch_.bytes[id] - t.bytes[id];
    if (has_latency) {
      d.latency_us_sum = scratch_.latency_sum[id] - t.latency_sum[id];
      d.latency_samples = scratch_.latency_samples[id] - t.latency_samples[id];
    }
    if (!moved(d)) continue;
    emit(id, d);
    if (!update) continue;
    sh[id] = h[id];
    if (has_bytes) t.bytes[id] = scratch_.bytes[id];
    if (has_latency) {
      t.latency_sum[id] = scratch_.latency_sum[id];
      t.latency_samples[id] = scratch_.latency_samples[id];
    }
  }
  if (update) {
    t.bytes_touched = has_bytes;
    t.latency_touched = has_latency;
  }
}

std::uint32_t History::intern(const RowKey& k) {
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
  std::size_t bytes = 0;
  for (Step& s : steps_) {
    std::vector<StepEntry> v = decode_step(s.data);
    bool sorted = true;
    for (std::size_t i = 0; i < v.size(); ++i) {
      v[i].key = map_key(v[i].key);
      if (i && v[i].key <= v[i - 1].key) sorted = false;
    }
    // Prefix ids follow prefix order in both tables, so most steps stay sorted.
    if (!sorted) sort_merge(v);
    s.data = encode_step(v);
    bytes += s.data.memory();
  }
  step_bytes_ = bytes;
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
        next_r->orphans[k] += c;
        return;
      }
      Track& t = next_r->sums;
      t.hits[k] += c.hits;
      if (c.bytes) t.bytes[k] += c.bytes, t.bytes_touched = true;
      if (c.latency_samples || c.latency_us_sum) {
        t.latency_sum[k] += c.latency_us_sum;
        t.latency_samples[k] += c.latency_samples;
        t.latency_touched = true;
      }
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

void History::absorbed(PrefixId id, const Counts& c) {
  Track& t = track(*current_);
  t.hits[id] += c.hits;
  if (c.bytes) t.bytes[id] += c.bytes, t.bytes_touched = true;
  if (c.latency_samples || c.latency_us_sum) {
    t.latency_sum[id] += c.latency_us_sum;
    t.latency_samples[id] += c.latency_samples;
    t.latency_touched = true;
  }
}

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

std::chrono::nanoseconds History::resolution(std::chrono::nanoseconds age) const {
  std::chrono::nanoseconds r = config_.step;
  for (const auto& [from_age, res] : config_.tiers)
    if (age >= from_age) r = std::max<std::chrono::nanoseconds>(r, res);
  return r;
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
  while (!steps_.empty() && steps_.front().to <= now - config_.span) drop_front();
  // Coarsen: a step old enough for a coarser resolution absorbs the steps
  // after it that end inside the same bucket (buckets aligned on origin_, so
  // coarse steps are whole and the same whatever the close times were).
  for (std::size_t i = 0; i + 1 < steps_.size();) {
    const std::chrono::nanoseconds r = resolution(now - steps_[i].to);
    if (r <= config_.step) break;  // steps are oldest first: the rest are younger
    bool rolling = false;
    for (const auto& rs : rolling_) rolling = rolling || steps_[i + 1].seq >= rs->first_seq;
    if (rolling) break;  // after a long gap: never merge into what a rolling sum holds
    const auto bucket = (steps_[i].from - origin_) / r;
    const MonoTime bucket_end = origin_ + (bucket + 1) * r;
    if (steps_[i + 1].to <= bucket_end) {
      step_bytes_ -= steps_[i].data.memory() + steps_[i + 1].data.memory();
      steps_[i].data = merge_steps(steps_[i].data, steps_[i + 1].data);
      steps_[i].to = steps_[i + 1].to;
      step_bytes_ += steps_[i].data.memory();
      steps_.erase(steps_.begin() + static_cast<std::ptrdiff_t>(i + 1));
      continue;
    }
    ++i;
  }
  while (!steps_.empty() && step_bytes_ > config_.max_bytes) {
    drop_front();
    ++dropped_;
  }
}

void History::add_key(std::uint32_t key, const Counts& c, Summed& out, RowMap& extra) const {
  if (key & kOrphanKey)
    extra[orphan_keys_[key & ~kOrphanKey]] += c;
  else
    out.add_at(key, c);
}

WindowSpan History::window_sums(const Window& w, Retired retired, Summed& out, RowMap& extra) {
  // Which whole steps: those that start inside the window, steps_[i..].
  const MonoTime to = std::max(w.now, last_close_);
  const MonoTime lower = to - w.length;
  std::size_t i = steps_.size();
  while (i > 0 && steps_[i - 1].from >= lower) --i;
  const MonoTime from = i < steps_.size() ? steps_[i].from : last_close_;
  // Summing them one by one costs their entries; a rolling sum holding
  // steps_[j..] costs a pass over the ids plus the steps between i and j.
  const Rolling* best = nullptr;
  std::size_t best_j = 0, cost = steps_.size() - i;
  for (const auto& r : rolling_) {
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
  for (const auto& g : retired) {
    Track& t = track(*g);
    diff(*g, t, false, [&](PrefixId id, const Counts& c) { add_key(translate(*g, t, id), c, out, extra); });
  }
  for (const auto& [k, c] : pending_) add_key(k, c, out, extra);

  auto add_step = [&](const Step& st, int sign) {
    for_each_entry(st.data, [&](std::uint32_t key, const Counts& c) {
      if (sign > 0) return add_key(key, c, out, extra);
      Counts neg;
      add_signed(neg, c, -1);  // wraps: the sum stays right modulo 2^64 and ends non-negative
      add_key(key, neg, out, extra);
    });
  };
  if (!best) {
    for (std::size_t k = i; k < steps_.size(); ++k) add_step(steps_[k], +1);
  } else {
    for (const auto& [k, c] : best->orphans) add_key(k, c, out, extra);
    for (std::size_t k = i; k < best_j; ++k) add_step(steps_[k], +1);
    for (std::size_t k = best_j; k < i; ++k) add_step(steps_[k], -1);
  }
  // Rows that cancelled out (a rolling sum's orphan minus its step) are not rows.
  std::erase_if(extra, [](const auto& e) { return !moved(e.second); });
  return WindowSpan{w.length, from, to, i == 0 && from > lower};
}

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
  const MonoTime saved_now = origin_ - gap;
  std::chrono::milliseconds last_age = std::chrono::milliseconds::max();
  for (const SavedStep& s : saved) {
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

void History::reset() {
  steps_.clear();
  pending_.clear();
  orphan_keys_.clear();
  orphan_index_.clear();
  step_bytes_ = 0;
  for (auto& [g, t] : tracks_) t->clear();
  for (auto& r : rolling_) {
    r->sums.clear();
    r->orphans.clear();
    r->first_seq = next_seq_;
  }
}

HistoryStats History::stats() const {
  HistoryStats s;
  s.enabled = true;
  s.from = steps_.empty() ? last_close_ : steps_.front().from;
  s.to = last_close_;
  s.steps = steps_.size();
  for (const Step& st : steps_) s.entries += st.data.entries;
  s.dropped_steps = dropped_;
  s.bytes = step_bytes_ + orphan_keys_.capacity() * sizeof(RowKey) +
            orphan_index_.size() * (sizeof(RowKey) + 2 * sizeof(void*) + sizeof(std::uint32_t));
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
