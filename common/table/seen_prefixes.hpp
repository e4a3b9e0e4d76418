#pragma once
// The prefixes already given a route while a table is read: open addressing
// over indexes into the route vector, so a prefix repeated (per peer in a
// TABLE_DUMP file, or a bomb repeating one ipasn line) costs one probe per
// repeat and no second copy: memory follows the distinct prefixes only.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/table/route.hpp"

namespace asncounter {

class SeenPrefixes {
 public:
  explicit SeenPrefixes(const std::vector<Route>& routes) : routes_(routes), slots_(1 << 12) {}

  /// Whether a route for `p` is already in the vector.
  bool contains(const Prefix& p) const {
    for (std::size_t i = slot_of(p);; i = (i + 1) & (slots_.size() - 1)) {
      if (slots_[i] == 0) return false;
      if (routes_[slots_[i] - 1].prefix == p) return true;
    }
  }
  /// Records routes_.back(), which the caller has just appended.
  void add_last() {
    if ((routes_.size() + 1) * 2 > slots_.size()) grow();
    place(static_cast<std::uint32_t>(routes_.size()));
  }

 private:
  static std::uint64_t mix(std::uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    return x ^ (x >> 33);
  }
  std::size_t slot_of(const Prefix& p) const {
    std::uint64_t h = p.addr.is_v4() ? mix(std::uint64_t{p.addr.v4} << 8 | p.len)
                                     : mix(p.addr.v6.hi ^ mix(p.addr.v6.lo) ^ p.len ^ 0x600);
    return static_cast<std::size_t>(h) & (slots_.size() - 1);
  }
  void place(std::uint32_t index_plus_one) {
    std::size_t i = slot_of(routes_[index_plus_one - 1].prefix);
    while (slots_[i] != 0) i = (i + 1) & (slots_.size() - 1);
    slots_[i] = index_plus_one;
  }
  void grow() {
    slots_.assign(slots_.size() * 2, 0);
    for (std::uint32_t i = 1; i < routes_.size(); ++i) place(i);
  }

  const std::vector<Route>& routes_;
  std::vector<std::uint32_t> slots_;
};

}  // namespace asncounter
