#pragma once
// Internal to the LPM table: the IPv6 part. The prefixes are flattened into
// sorted non-overlapping ranges (about 20 bytes per prefix, whatever their
// lengths), and an index with variable strides narrows a lookup down to a
// handful of ranges: 16 bits first, then as many bits as a crowded bucket
// needs to be split into buckets of a few ranges each.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/table/lpm_ranges.hpp"

namespace asncounter::lpm {

class V6Ranges {
 public:
  static constexpr unsigned kTopBits = 16;
  /// In Entry::count: the entry is a child node, not a bucket.
  static constexpr std::uint32_t kChild = 0x80000000U;
  /// Buckets holding more ranges than this get split.
  static constexpr std::uint32_t kLeafMax = 8;

  /// Where a lookup must search: its bucket's ranges, `count` of them from
  /// `begin` on.
  struct Bucket {
    std::uint32_t begin;
    std::uint32_t count;
  };

  /// Everything unrouted.
  V6Ranges();
  /// From the flat ranges of lpm::flatten (first boundary at 0).
  explicit V6Ranges(const std::vector<Boundary<U128>>& ranges);

  /// A bucket (begin, count) or, with kChild in count, a child node of
  /// 2^(count & 0xff) entries at nodes_[begin].
  struct Entry {
    std::uint32_t begin;
    std::uint32_t count;
  };
  /// The arrays lookups read: the index's own, or a mapped table cache's.
  struct Parts {
    std::span<const U128> starts;  ///< range starts, then kLeafMax - 1 of padding
    std::span<const std::uint32_t> ids;
    std::span<const Entry> top;  ///< 2^kTopBits of them
    std::span<const Entry> nodes;
  };
  /// Over arrays someone else keeps alive (checked by the caller: see
  /// common/table/table_cache.cpp).
  explicit V6Ranges(Parts parts) : parts_(parts) {}
  // Moves keep the views valid (a moved vector keeps its buffer); a copy would not.
  V6Ranges(V6Ranges&&) noexcept = default;
  V6Ranges& operator=(V6Ranges&&) noexcept = default;
  V6Ranges(const V6Ranges&) = delete;
  V6Ranges& operator=(const V6Ranges&) = delete;

  const Parts& parts() const noexcept { return parts_; }

  /// A lookup's position in the index, for walking many lookups in lockstep.
  struct Cursor {
    const Entry* entry;
    unsigned shift;
  };
  /// The top index entry of `a`, which starts loading.
  Cursor start(U128 a) const noexcept {
    const Entry* e = &parts_.top[static_cast<std::size_t>(a >> (128 - kTopBits))];
    __builtin_prefetch(e);
    return {e, 128 - kTopBits};
  }
  /// Moves `c` one level down (and starts loading that entry); false when
  /// `c` is at its bucket already.
  bool step(Cursor& c, U128 a) const noexcept {
    const Entry* e = c.entry;
    if (!(e->count & kChild)) return false;
    unsigned bits = e->count & 0xffU;
    c.shift -= bits;
    auto slot = static_cast<std::size_t>((a >> c.shift) & ((U128{1} << bits) - 1));
    c.entry = &parts_.nodes[e->begin + slot];
    __builtin_prefetch(c.entry);
    return true;
  }
  /// The bucket a cursor that cannot step any more stands on.
  static Bucket bucket(const Cursor& c) noexcept { return {c.entry->begin, c.entry->count}; }
  /// Walks the index down to the bucket of ranges holding `a`.
  Bucket locate(U128 a) const noexcept {
    Cursor c{&parts_.top[static_cast<std::size_t>(a >> (128 - kTopBits))], 128 - kTopBits};
    while (step(c, a)) {
    }
    return bucket(c);
  }
  /// Starts loading the range starts of a bucket.
  void prefetch_bucket(Bucket b) const noexcept {
    __builtin_prefetch(parts_.starts.data() + b.begin);
    __builtin_prefetch(parts_.starts.data() + b.begin + 4);
    __builtin_prefetch(parts_.ids.data() + b.begin);
  }
  /// The prefix id of `a` within its bucket: the last range starting at or
  /// before `a`.
  std::uint32_t search(Bucket b, U128 a) const noexcept {
    // A bucket of one range (most of them, away from routed space) needs no
    // comparison. Otherwise: always kLeafMax - 1 branch-free comparisons,
    // whatever the bucket's size, since a loop as long as the bucket would
    // mispredict its exit. The starts after a bucket are past `a` (they are
    // sorted), so comparing them adds nothing; the arrays are padded so that
    // the reads stay inside.
    if (b.count == 1) return parts_.ids[b.begin];
    const U128* s = parts_.starts.data() + b.begin;
    std::uint32_t pos = b.begin;
    for (std::uint32_t i = 1; i < kLeafMax; ++i) pos += s[i] <= a ? 1U : 0U;
    return parts_.ids[pos];
  }
  std::uint32_t lookup(U128 a) const noexcept { return search(locate(a), a); }

  std::size_t range_count() const noexcept { return parts_.starts.size() - (kLeafMax - 1); }
  std::size_t memory_bytes() const noexcept;

 private:
  void bind() noexcept { parts_ = {starts_, ids_, top_, nodes_}; }

  Entry make_entry(U128 lo, unsigned shift, std::uint32_t from);
  std::uint32_t last_start_at_or_before(U128 a, std::uint32_t from) const noexcept;
  void pad_for_search();

  // What a built index owns (empty for one over a cache's arrays).
  std::vector<U128> starts_;
  std::vector<std::uint32_t> ids_;
  std::vector<Entry> top_;
  std::vector<Entry> nodes_;
  Parts parts_;
};

}  // namespace asncounter::lpm
