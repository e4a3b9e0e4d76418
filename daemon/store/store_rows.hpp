#pragma once
// Row identities and per-id sums shared by the store's read side, its write
// side and its history.

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "common/counts.hpp"
#include "daemon/store/generation.hpp"

namespace asncounter {

/// A (prefix, origin ASN) pair: the identity of a prefix row across tables.
struct RowKey {
  Prefix prefix;
  std::uint32_t asn{};
  friend bool operator==(const RowKey&, const RowKey&) = default;
};

/// The history's coarse tiers sum the prefixes of an ASN they do not keep
/// into one row per ASN, keyed by this prefix length no real prefix has:
/// counted in every ASN answer and total, never ranked as a prefix.
inline constexpr std::uint8_t kOtherPrefixesLen = 0xFF;
inline RowKey other_prefixes_key(std::uint32_t asn) {
  return RowKey{Prefix{Address{}, kOtherPrefixesLen}, asn};
}
inline bool is_other_prefixes(const RowKey& k) { return k.prefix.len == kOtherPrefixesLen; }

struct RowKeyHash {
  std::size_t operator()(const RowKey& k) const noexcept;
};

using RowMap = std::unordered_map<RowKey, Counts, RowKeyHash>;

/// Per-id sums of one generation, one plain array per field; a field no
/// input carried is left empty.
struct Summed {
  std::vector<std::uint64_t> hits, bytes, latency_sum, latency_samples;

  Counts at(PrefixId id) const {
    Counts c;
    c.hits = hits[id];
    if (!bytes.empty()) c.bytes = bytes[id];
    if (!latency_sum.empty()) {
      c.latency_us_sum = latency_sum[id];
      c.latency_samples = latency_samples[id];
    }
    return c;
  }
  /// Adds `c` at `id`, creating a field's array the first time it is non-zero.
  void add_at(PrefixId id, const Counts& c) {
    hits[id] += c.hits;
    if (c.bytes) {
      if (bytes.empty()) bytes.assign(hits.size(), 0);
      bytes[id] += c.bytes;
    }
    if (c.latency_samples || c.latency_us_sum) {
      if (latency_sum.empty()) latency_sum.assign(hits.size(), 0), latency_samples.assign(hits.size(), 0);
      latency_sum[id] += c.latency_us_sum;
      latency_samples[id] += c.latency_samples;
    }
  }
};

/// Sums `g`'s shards into `out` (reusing its buffers); each shard lock is held
/// only while its arrays are added.
void sum_shards(Generation& g, Summed& out);

}  // namespace asncounter
