#include "ctl/blocklist.hpp"

#include <algorithm>
#include <bit>
#include <string>
#include <tuple>

namespace asncounter::ctl {
namespace {

__extension__ using u128 = unsigned __int128;

// Addresses as integers of their family's width (IPv4 in the low 32 bits).
u128 to_int(const Address& a) {
  if (a.is_v4()) return a.v4;
  return (static_cast<u128>(a.v6.hi) << 64) | a.v6.lo;
}

Address from_int(Family f, u128 v) {
  if (f == Family::v4) return Address::from_v4(static_cast<std::uint32_t>(v));
  return Address::from_v6(V6{static_cast<std::uint64_t>(v >> 64), static_cast<std::uint64_t>(v)});
}

u128 ones(unsigned bits) { return bits >= 128 ? ~u128{0} : (u128{1} << bits) - 1; }

struct Range {
  Family family;
  u128 first;
  u128 last;
};

unsigned trailing_zeros(u128 v, unsigned bits) {
  if (v == 0) return bits;
  auto lo = static_cast<std::uint64_t>(v);
  if (lo != 0) return static_cast<unsigned>(std::countr_zero(lo));
  return 64U + static_cast<unsigned>(std::countr_zero(static_cast<std::uint64_t>(v >> 64)));
}

// The largest aligned blocks that tile [first, last], as prefixes.
void split_range(const Range& r, std::vector<Prefix>& out) {
  const unsigned bits = family_bits(r.family);
  u128 start = r.first;
  for (;;) {
    unsigned host = trailing_zeros(start, bits);
    // Shrink the block until it ends inside the range.
    while (host > 0 && start + ones(host) > r.last) --host;
    out.push_back(Prefix{from_int(r.family, start), static_cast<std::uint8_t>(bits - host)});
    u128 end = start + ones(host);
    if (end >= r.last) return;
    start = end + 1;
  }
}

// The sorted, disjoint, non-adjacent ranges covering exactly `prefixes`.
std::vector<Range> merged_ranges(const std::vector<Prefix>& prefixes) {
  std::vector<Range> ranges;
  for (const auto& p : prefixes) {
    unsigned host = family_bits(p.addr.family) - p.len;
    u128 first = to_int(p.addr);
    ranges.push_back(Range{p.addr.family, first, first + ones(host)});
  }
  std::sort(ranges.begin(), ranges.end(), [](const Range& a, const Range& b) {
    return std::tie(a.family, a.first) < std::tie(b.family, b.first);
  });
  std::vector<Range> merged;
  for (const auto& r : ranges) {
    // Overlapping or adjacent (next starts right after): one range. The
    // `last + 1` cannot wrap unless the range ends the address space.
    if (!merged.empty() && merged.back().family == r.family &&
        (merged.back().last == ones(family_bits(r.family)) || r.first <= merged.back().last + 1)) {
      merged.back().last = std::max(merged.back().last, r.last);
    } else {
      merged.push_back(r);
    }
  }
  return merged;
}

}  // namespace

std::vector<Prefix> merge_prefixes(std::vector<Prefix> prefixes) {
  std::vector<Prefix> out;
  for (const auto& r : merged_ranges(prefixes)) split_range(r, out);
  return out;
}

std::vector<Prefix> subtract_prefixes(std::vector<Prefix> prefixes, std::vector<Prefix> excluded) {
  const auto holes = merged_ranges(excluded);
  std::vector<Prefix> out;
  // Both lists are sorted and disjoint: each kept range is cut by the holes
  // that overlap it, in order.
  for (Range r : merged_ranges(prefixes)) {
    bool left = true;  // something of r remains at or after r.first
    for (const auto& h : holes) {
      if (h.family != r.family || h.last < r.first) continue;
      if (h.first > r.last) break;
      if (h.first > r.first) split_range(Range{r.family, r.first, h.first - 1}, out);
      if (h.last >= r.last) {
        left = false;
        break;
      }
      r.first = h.last + 1;
    }
    if (left) split_range(r, out);
  }
  return out;
}

std::vector<Prefix> intersect_prefix(const Prefix& p, const std::vector<Prefix>& space) {
  std::vector<Prefix> out;
  for (const auto& s : space) {
    if (s.len <= p.len && contains(s, p.addr)) return {p};
    if (s.len > p.len && contains(p, s.addr)) out.push_back(s);
  }
  return out;
}

}  // namespace asncounter::ctl
