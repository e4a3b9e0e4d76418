// The read side of the counter store: merging shards, orphans and
// not-yet-folded generations into sorted top-N tables. Runs under the
// reader lock; each shard lock is held only while its arrays are summed.
#include <algorithm>
#include <unordered_map>

#include "common/saturating.hpp"
#include "daemon/store/store_state.hpp"

namespace asncounter {

namespace {

bool nonzero(const Counts& c) { return c.hits || c.bytes || c.latency_samples; }

/// Sorts rows by hits descending, then key ascending, and keeps `limit`.
template <class Row, class Less>
void rank(std::vector<Row>& rows, std::size_t limit, Less key_less) {
  auto cmp = [&](const Row& a, const Row& b) {
    if (a.counts.hits != b.counts.hits) return a.counts.hits > b.counts.hits;
    return key_less(a, b);
  };
  if (limit && limit < rows.size()) {
    std::partial_sort(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(limit), rows.end(), cmp);
    rows.resize(limit);
  } else {
    std::sort(rows.begin(), rows.end(), cmp);
  }
}

/// Unrouted ("None") sorts after every number among equal counts.
template <class T>
bool none_last_less(const std::optional<T>& a, const std::optional<T>& b) {
  if (a.has_value() != b.has_value()) return a.has_value();
  return a.has_value() && *a < *b;
}

void add_array(std::vector<std::uint64_t>& to, const CounterArray& from) {
  const std::uint64_t* f = from.data();
  // Saturating: shards each below the top may sum past it (hostile bytes).
  for (std::size_t i = 0; i < to.size(); ++i) to[i] = saturating_add(to[i], f[i]);
}

/// Adds field `from` of every id to its ASN slot, saturating: the prefixes
/// of one ASN may sum past the top. Branch-free on purpose: adding the zeros
/// of untouched ids is cheaper than mispredicting on them. The window sums
/// handed to rank_asns are final (the modular take-aways are done), so
/// saturating them here is right too.
void add_by_slot(std::vector<std::uint64_t>& slots, const Generation& g, const std::uint64_t* f) {
  const std::uint32_t* slot = g.id_slots();
  std::uint64_t* out = slots.data();
  const std::size_t n = g.id_count();
  for (std::size_t id = 0; id < n; ++id) out[slot[id]] = saturating_add(out[slot[id]], f[id]);
}

}  // namespace

void sum_shards(Generation& g, Summed& s) {
  s.hits.assign(g.id_count(), 0);
  s.bytes.clear();
  s.latency_sum.clear();
  s.latency_samples.clear();
  for (std::size_t i = 0; i < g.shard_count(); ++i) {
    auto sh = g.shard(i).lock();
    if (sh->touched) add_array(s.hits, sh->hits);
    if (sh->bytes_touched) {
      if (s.bytes.empty()) s.bytes.assign(g.id_count(), 0);
      add_array(s.bytes, sh->bytes);
    }
    if (sh->latency_touched) {
      if (s.latency_sum.empty()) {
        s.latency_sum.assign(g.id_count(), 0);
        s.latency_samples.assign(g.id_count(), 0);
      }
      add_array(s.latency_sum, sh->latency_sum);
      add_array(s.latency_samples, sh->latency_samples);
    }
  }
}

void collect_rows(Generation& g, RowMap& rows, Counts& unrouted) {
  const LpmTable& t = *g.table();
  for (std::size_t i = 0; i < g.shard_count(); ++i) {
    auto sh = g.shard(i).lock();
    if (!sh->touched && !sh->bytes_touched && !sh->latency_touched) continue;
    for (PrefixId id = 0; id < g.id_count(); ++id) {
      Counts c = sh->at(id);
      if (!nonzero(c)) continue;
      if (id == kUnrouted)
        unrouted += c;
      else
        rows[RowKey{t.prefix(id), t.asn(id)}] += c;
    }
  }
}

namespace {

AsnTable finish_asns(const Generation& g, const std::vector<std::uint64_t>& hits,
                     const std::vector<std::uint64_t>& bytes, const std::vector<std::uint64_t>& lat_sum,
                     const std::vector<std::uint64_t>& lat_n, const RowMap& extra,
                     const Counts& extra_unrouted, std::size_t limit) {
  const std::size_t n = g.slot_count();
  std::vector<Counts> slots(n);
  for (std::size_t s = 0; s < n; ++s) {
    slots[s].hits = hits[s];
    if (!bytes.empty()) slots[s].bytes = bytes[s];
    if (!lat_sum.empty()) {
      slots[s].latency_us_sum = lat_sum[s];
      slots[s].latency_samples = lat_n[s];
    }
  }
  slots[0] += extra_unrouted;
  std::unordered_map<std::uint32_t, Counts> others;  // ASNs the current table no longer has
  for (const auto& [key, c] : extra) {
    if (auto s = g.slot_of_asn(key.asn))
      slots[*s] += c;
    else
      others[key.asn] += c;
  }
  AsnTable t;
  for (std::uint32_t s = 0; s < slots.size(); ++s) {
    if (!nonzero(slots[s])) continue;
    t.total += slots[s];
    t.rows.push_back(
        AsnRow{s == 0 ? std::nullopt : std::optional<std::uint32_t>(g.asn_of_slot(s)), slots[s]});
  }
  for (const auto& [asn, c] : others) {
    t.total += c;
    t.rows.push_back(AsnRow{asn, c});
  }
  rank(t.rows, limit, [](const AsnRow& a, const AsnRow& b) { return none_last_less(a.asn, b.asn); });
  return t;
}

}  // namespace

AsnTable merge_asns(const MergeInput& in, std::size_t limit) {
  Generation& g = in.current;
  // Nothing counted (a one-shot run on an empty input): no ASN slots needed.
  bool counted = !in.extra.empty();
  for (std::size_t i = 0; i < g.shard_count() && !counted; ++i) {
    auto sh = g.shard(i).lock();
    counted = sh->touched || sh->bytes_touched || sh->latency_touched;
  }
  if (!counted) {
    AsnTable t;
    if (nonzero(in.extra_unrouted))
      t.total = in.extra_unrouted, t.rows.push_back(AsnRow{std::nullopt, in.extra_unrouted});
    return t;
  }
  // One plain array per field: the hits slots of ~50k ASNs stay in L2.
  const std::size_t n = g.slot_count();
  std::vector<std::uint64_t> hits(n), bytes, lat_sum, lat_n;
  for (std::size_t i = 0; i < g.shard_count(); ++i) {
    auto sh = g.shard(i).lock();
    if (sh->touched) add_by_slot(hits, g, sh->hits.data());
    if (sh->bytes_touched) {
      if (bytes.empty()) bytes.resize(n);
      add_by_slot(bytes, g, sh->bytes.data());
    }
    if (sh->latency_touched) {
      if (lat_sum.empty()) {
        lat_sum.resize(n);
        lat_n.resize(n);
      }
      add_by_slot(lat_sum, g, sh->latency_sum.data());
      add_by_slot(lat_n, g, sh->latency_samples.data());
    }
  }
  return finish_asns(g, hits, bytes, lat_sum, lat_n, in.extra, in.extra_unrouted, limit);
}

AsnTable rank_asns(const Generation& g, const Summed& sums, const RowMap& extra, std::size_t limit) {
  const std::size_t n = g.slot_count();
  std::vector<std::uint64_t> hits(n), bytes, lat_sum, lat_n;
  add_by_slot(hits, g, sums.hits.data());
  if (!sums.bytes.empty()) {
    bytes.resize(n);
    add_by_slot(bytes, g, sums.bytes.data());
  }
  if (!sums.latency_sum.empty()) {
    lat_sum.resize(n);
    lat_n.resize(n);
    add_by_slot(lat_sum, g, sums.latency_sum.data());
    add_by_slot(lat_n, g, sums.latency_samples.data());
  }
  return finish_asns(g, hits, bytes, lat_sum, lat_n, extra, Counts{}, limit);
}

PrefixTable merge_prefixes(const MergeInput& in, std::size_t limit, std::optional<std::uint32_t> asn) {
  // Nothing counted (an idle daemon, a one-shot run on an empty input): no
  // per-id sums to make, whose zeroing alone costs ~20 ms with a full table.
  bool counted = !in.extra.empty() || nonzero(in.extra_unrouted);
  for (std::size_t i = 0; i < in.current.shard_count() && !counted; ++i) {
    auto sh = in.current.shard(i).lock();
    counted = sh->touched || sh->bytes_touched || sh->latency_touched;
  }
  if (!counted) return PrefixTable{};
  sum_shards(in.current, in.scratch);
  in.scratch.add_at(kUnrouted, in.extra_unrouted);
  return rank_prefixes(in.current, in.scratch, in.extra, limit, asn);
}

PrefixTable rank_prefixes(const Generation& g, const Summed& sum, const RowMap& extra, std::size_t limit,
                          std::optional<std::uint32_t> asn, RankBy by) {
  const LpmTable& table = *g.table();
  // No input carried bytes: every row has 0, and hits order is as good as any.
  if (sum.bytes.empty()) by = RankBy::hits;
  auto rank_of = [by](const Counts& c) { return by == RankBy::bytes ? c.bytes : c.hits; };
  // Rank light candidates (hits and where the row lives), then build full
  // rows only for those kept: a million PrefixRows would cost ~80 MB.
  constexpr std::uint32_t kNone = UINT32_MAX;
  struct Cand {
    std::uint64_t hits;   // the rank: hits, or bytes (RankBy::bytes)
    std::uint32_t id;     // kNone: the row is extra only
    std::uint32_t extra;  // index into extras, or kNone
  };
  std::vector<const RowMap::value_type*> extras;
  std::unordered_map<RowKey, std::uint32_t, RowKeyHash> extra_index;
  Counts others;  // coarse history's "other prefixes" rows: in the total, never ranked
  for (const auto& e : extra) {
    if (is_other_prefixes(e.first)) {
      others += e.second;
      continue;
    }
    extra_index.emplace(e.first, static_cast<std::uint32_t>(extras.size()));
    extras.push_back(&e);
  }
  std::vector<bool> extra_used(extras.size());
  PrefixTable t;
  auto key = [&](const Cand& c) -> std::pair<std::optional<Prefix>, std::optional<std::uint32_t>> {
    if (c.id == kNone) return {extras[c.extra]->first.prefix, extras[c.extra]->first.asn};
    if (c.id == kUnrouted) return {};
    return {table.prefix(c.id), table.asn(c.id)};
  };
  auto cmp = [&](const Cand& a, const Cand& b) {  // a ranks before b
    if (a.hits != b.hits) return a.hits > b.hits;
    auto ka = key(a), kb = key(b);
    if (ka.first != kb.first) return none_last_less(ka.first, kb.first);
    return none_last_less(ka.second, kb.second);
  };
  // With a limit, keep only the best `limit` in a heap whose top is the
  // worst kept: most candidates lose on hits alone, without a key lookup.
  std::vector<Cand> cands;
  // The hits a row needs to enter the full heap, in a local: the loop over
  // every id below then reads no memory but the hits for it.
  bool heap_full = false;
  std::uint64_t entry_hits = 0;
  auto offer = [&](const Cand& c) {
    if (!limit) {
      cands.push_back(c);
      return;
    }
    if (cands.size() < limit) {
      cands.push_back(c);
      std::push_heap(cands.begin(), cands.end(), cmp);
    } else if (c.hits >= entry_hits && cmp(c, cands.front())) {
      std::pop_heap(cands.begin(), cands.end(), cmp);
      cands.back() = c;
      std::push_heap(cands.begin(), cands.end(), cmp);
    } else {
      return;
    }
    heap_full = cands.size() == limit;
    entry_hits = cands.front().hits;
  };
  // Without extra rows (the usual case) the total is the sum of each field,
  // and an id whose hits cannot enter the kept `limit` is passed on its
  // hits alone: a full table's ids cost one load and a compare each.
  const bool plain = extra_index.empty();
  if (plain) {
    auto sum_of = [](const std::vector<std::uint64_t>& v) {
      std::uint64_t s = 0;
      for (std::uint64_t x : v) s = saturating_add(s, x);
      return s;
    };
    t.total =
        Counts{sum_of(sum.hits), sum_of(sum.bytes), sum_of(sum.latency_sum), sum_of(sum.latency_samples)};
  }
  const std::uint64_t* hits = by == RankBy::bytes ? sum.bytes.data() : sum.hits.data();
  for (PrefixId id = 0; id < g.id_count(); ++id) {
    if (plain && heap_full && hits[id] < entry_hits) continue;
    Counts c = sum.at(id);
    std::uint32_t x = kNone;
    if (id != kUnrouted && !extra_index.empty()) {
      // The same (prefix, ASN) counted under an older table makes one row.
      if (auto it = extra_index.find(RowKey{table.prefix(id), table.asn(id)}); it != extra_index.end()) {
        x = it->second;
        extra_used[x] = true;
        c += extras[x]->second;
      }
    }
    if (!nonzero(c)) continue;
    if (!plain) t.total += c;
    if (asn && (id == kUnrouted || table.asn(id) != *asn)) continue;
    offer(Cand{rank_of(c), id, x});
  }
  for (std::uint32_t x = 0; x < extras.size(); ++x) {
    if (extra_used[x]) continue;
    t.total += extras[x]->second;
    if (asn && extras[x]->first.asn != *asn) continue;
    offer(Cand{rank_of(extras[x]->second), kNone, x});
  }
  t.total += others;
  std::sort(cands.begin(), cands.end(), cmp);
  t.rows.reserve(cands.size());
  for (const Cand& c : cands) {
    auto [prefix, origin] = key(c);
    Counts counts = c.id == kNone ? Counts{} : sum.at(c.id);
    if (c.extra != kNone) counts += extras[c.extra]->second;
    t.rows.push_back(PrefixRow{prefix, origin, counts});
  }
  return t;
}

}  // namespace asncounter
