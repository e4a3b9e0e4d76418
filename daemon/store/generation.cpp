#include "daemon/store/generation.hpp"

#include <algorithm>

#include "common/saturating.hpp"

namespace asncounter {

ShardCounters::ShardCounters(std::size_t ids)
    : hits(ids), bytes(ids), latency_sum(ids), latency_samples(ids) {}

namespace {

// Adds values[i] to column[ids[i]] for each event; returns their sum. Hits
// and bytes saturate (a flow record may carry packets × sampling near 2^64,
// a hostile line up to 2^64-1 bytes); request times cannot overflow.
template <bool kSaturate = false, class Column, class Values>
std::uint64_t add_column(Column& column, std::span<const PrefixId> ids, const Values& values) noexcept {
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if constexpr (kSaturate) {
      column[ids[i]] = saturating_add(column[ids[i]], values[i]);
      sum = saturating_add(sum, values[i]);
    } else {
      column[ids[i]] += values[i];
      sum += values[i];
    }
  }
  return sum;
}

}  // namespace

void ShardCounters::add(std::span<const PrefixId> ids, const EventBatch& batch) noexcept {
  const std::size_t n = ids.size();
  const std::uint64_t h = add_column<true>(hits, ids, batch.hits);
  total.hits = saturating_add(total.hits, h);
  touched = touched || h != 0;
  if (batch.has_bytes) {
    const std::uint64_t b = add_column<true>(bytes, ids, batch.bytes);
    total.bytes = saturating_add(total.bytes, b);
    bytes_touched = bytes_touched || b != 0;
  }
  if (batch.has_latency) {
    for (std::size_t i = 0; i < n; ++i) {
      if (batch.latency_us[i] == EventBatch::kNoLatency) continue;
      latency_sum[ids[i]] += batch.latency_us[i];
      latency_samples[ids[i]] += 1;
      total.latency_us_sum += batch.latency_us[i];
      total.latency_samples += 1;
      latency_touched = true;
    }
  }
}

void ShardCounters::add_at(PrefixId id, const Counts& c) noexcept {
  hits[id] = saturating_add(hits[id], c.hits);
  bytes[id] = saturating_add(bytes[id], c.bytes);
  latency_sum[id] = saturating_add(latency_sum[id], c.latency_us_sum);
  latency_samples[id] = saturating_add(latency_samples[id], c.latency_samples);
  total += c;
  touched = touched || c.hits != 0;
  bytes_touched = bytes_touched || c.bytes != 0;
  latency_touched = latency_touched || c.latency_samples != 0;
}

Counts ShardCounters::at(PrefixId id) const noexcept {
  Counts c;
  if (touched) c.hits = hits[id];
  if (bytes_touched) c.bytes = bytes[id];
  if (latency_touched) {
    c.latency_us_sum = latency_sum[id];
    c.latency_samples = latency_samples[id];
  }
  return c;
}

void ShardCounters::clear() noexcept {
  if (touched) hits.clear();
  if (bytes_touched) bytes.clear();
  if (latency_touched) {
    latency_sum.clear();
    latency_samples.clear();
  }
  total = {};
  touched = bytes_touched = latency_touched = false;
}

Generation::Generation(std::shared_ptr<const LpmTable> table, std::size_t shards, std::uint64_t number)
    : table_(std::move(table)), number_(number), shard_count_(shards) {
  const std::size_t ids = id_count();
  shards_.reserve(shards);
  for (std::size_t i = 0; i < shards; ++i) shards_.push_back(std::make_unique<Shard>(ids));
}

const Generation::AsnSlots& Generation::slots() const {
  std::call_once(slots_made_, [this] {
    const std::size_t ids = id_count();
    AsnSlots& s = slots_;
    s.slot_of_id.reserve(ids);  // every entry is written once below: no zeroing pass
    s.slot_of_id.assign(std::min<std::size_t>(ids, 1), 0);  // id 0 (unrouted) is slot 0
    s.asn_of_slot.push_back(0);
    // A full table has ~1 ASN per 10 prefixes, and neighbouring prefixes
    // (ids follow prefix order) often share their origin: the reserve spares
    // the rehashes and the last ASN most lookups.
    s.slot_of_asn.reserve(ids / 8 + 1);
    std::uint32_t last_asn = 0, last_slot = 0;
    for (PrefixId id = 1; id < ids; ++id) {
      const std::uint32_t asn = table_->asn(id);
      if (id == 1 || asn != last_asn) {
        auto [it, fresh] = s.slot_of_asn.try_emplace(asn, static_cast<std::uint32_t>(s.asn_of_slot.size()));
        if (fresh) s.asn_of_slot.push_back(asn);
        last_asn = asn, last_slot = it->second;
      }
      s.slot_of_id.push_back(last_slot);
    }
  });
  return slots_;
}

std::optional<std::uint32_t> Generation::slot_of_asn(std::uint32_t asn) const {
  const auto& m = slots().slot_of_asn;
  auto it = m.find(asn);
  if (it == m.end()) return std::nullopt;
  return it->second;
}

std::optional<PrefixId> Generation::find(const Prefix& prefix, std::uint32_t asn) const {
  const unsigned bits = family_bits(prefix.addr.family);
  Address last = prefix.addr;
  if (prefix.addr.is_v4()) {
    if (prefix.len < 32) last.v4 |= (prefix.len == 0 ? ~0U : (~0U >> prefix.len));
  } else {
    for (unsigned b = prefix.len; b < bits; ++b) {
      if (b < 64)
        last.v6.hi |= (1ULL << (63 - b));
      else
        last.v6.lo |= (1ULL << (127 - b));
    }
  }
  for (const Address& probe : {prefix.addr, last}) {
    PrefixId id = table_->lookup_id(probe);
    if (id == kUnrouted) return std::nullopt;  // nothing covers it: the prefix is not in the table
    const Prefix& p = table_->prefix(id);
    if (p == prefix) return table_->asn(id) == asn ? std::optional<PrefixId>(id) : std::nullopt;
    if (p.len < prefix.len) return std::nullopt;  // a shorter match means the prefix itself is absent
  }
  return std::nullopt;
}

std::uint64_t Generation::contended() const {
  std::uint64_t n = 0;
  for (std::size_t i = 0; i < shard_count_; ++i) n += shards_[i]->contended();
  return n;
}

}  // namespace asncounter
