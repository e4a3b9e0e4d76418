#include "common/table/lpm_v6.hpp"

#include <algorithm>
#include <bit>

namespace asncounter::lpm {
namespace {

unsigned leading_zeros(U128 v) {
  auto hi = static_cast<std::uint64_t>(v >> 64);
  auto lo = static_cast<std::uint64_t>(v);
  return hi != 0 ? static_cast<unsigned>(std::countl_zero(hi))
                 : 64U + static_cast<unsigned>(std::countl_zero(lo));
}

}  // namespace

V6Ranges::V6Ranges() : starts_{U128{0}}, ids_{0}, top_(std::size_t{1} << kTopBits, Entry{0, 1}) {
  pad_for_search();
  bind();
}

// search() reads kLeafMax - 1 starts after a bucket's first, which may run
// past the last range. The padding repeats the last range: a start equal to
// it compares as "at or before" only for addresses inside that last range,
// which then land on a copy of its id.
void V6Ranges::pad_for_search() {
  for (std::uint32_t i = 1; i < kLeafMax; ++i) {
    starts_.push_back(starts_.back());
    ids_.push_back(ids_.back());
  }
}

V6Ranges::V6Ranges(const std::vector<Boundary<U128>>& ranges) {
  starts_.reserve(ranges.size() + kLeafMax);  // room for the padding
  ids_.reserve(ranges.size() + kLeafMax);
  for (const auto& r : ranges) {
    starts_.push_back(r.start);
    ids_.push_back(r.id);
  }
  if (starts_.empty() || starts_.front() != 0) {  // flatten always starts at 0; be safe
    starts_.insert(starts_.begin(), U128{0});
    ids_.insert(ids_.begin(), 0);
  }
  top_.resize(std::size_t{1} << kTopBits);
  std::uint32_t from = 0;
  for (std::size_t b = 0; b < top_.size(); ++b) {
    U128 lo = static_cast<U128>(b) << (128 - kTopBits);
    Entry e = make_entry(lo, 128 - kTopBits, from);
    top_[b] = e;
    from = last_start_at_or_before(lo, from);
  }
  nodes_.shrink_to_fit();
  pad_for_search();  // after the index: its build searches the real starts only
  bind();
}

std::uint32_t V6Ranges::last_start_at_or_before(U128 a, std::uint32_t from) const noexcept {
  auto it = std::upper_bound(starts_.begin() + from, starts_.end(), a);
  return static_cast<std::uint32_t>(it - starts_.begin() - 1);
}

// The bucket [lo, lo + 2^shift): a leaf when few ranges meet it, else a node
// that splits it into slots of one or two ranges each. Real tables cluster
// (a /32 holding /48s, a /64 holding /126s), and splitting a cluster's
// bucket by its top bits would spend whole levels on bits that all its
// ranges share; so a node takes those shared bits at once as well, within
// 8 slots per range. On the real 2015 table this cuts the deepest walk from
// 32 levels to 11 and makes lookups 7% faster.
V6Ranges::Entry V6Ranges::make_entry(U128 lo, unsigned shift, std::uint32_t from) {
  std::uint32_t begin = last_start_at_or_before(lo, from);
  U128 last = lo + ((U128{1} << shift) - 1);
  std::uint32_t end = last_start_at_or_before(last, begin);
  std::uint32_t count = end - begin + 1;
  if (count <= kLeafMax || shift == 0) return {begin, count};
  auto spread = static_cast<unsigned>(std::bit_width(count));
  // The ranges starting inside the bucket (all but its first) differ only in
  // their low `differing` bits.
  unsigned differing = 128 - leading_zeros(starts_[begin + 1] ^ starts_[end]);
  unsigned shared = shift > differing ? shift - differing : 0;
  unsigned bits = std::clamp(std::min(shared + spread - 1, spread + 2), 1U, std::min(16U, shift));
  auto node = static_cast<std::uint32_t>(nodes_.size());
  nodes_.resize(nodes_.size() + (std::size_t{1} << bits));
  unsigned child_shift = shift - bits;
  std::uint32_t child_from = begin;
  for (std::uint32_t slot = 0; slot < (1U << bits); ++slot) {
    U128 child_lo = lo + (static_cast<U128>(slot) << child_shift);
    Entry child = make_entry(child_lo, child_shift, child_from);
    nodes_[node + slot] = child;  // by index: the recursion may move nodes_
    child_from = last_start_at_or_before(child_lo, child_from);
  }
  return {node, kChild | bits};
}

std::size_t V6Ranges::memory_bytes() const noexcept {
  return parts_.starts.size_bytes() + parts_.ids.size_bytes() + parts_.top.size_bytes() +
         parts_.nodes.size_bytes();
}

}  // namespace asncounter::lpm
