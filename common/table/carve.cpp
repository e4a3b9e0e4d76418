#include "common/table/carve.hpp"

#include <algorithm>
#include <span>

namespace asncounter {

namespace {

/// Bit `i` (0 = the most significant) of an address.
bool bit_at(const Address& a, unsigned i) noexcept {
  if (a.family == Family::v4) return ((a.v4 >> (31 - i)) & 1U) != 0;
  if (i < 64) return ((a.v6.hi >> (63 - i)) & 1U) != 0;
  return ((a.v6.lo >> (127 - i)) & 1U) != 0;
}

/// The upper half of `p` (the lower half is p's address with one more bit).
Prefix upper_half(const Prefix& p) noexcept {
  Address a = p.addr;
  unsigned i = p.len;
  if (a.family == Family::v4)
    a.v4 |= 1U << (31 - i);
  else if (i < 64)
    a.v6.hi |= 1ULL << (63 - i);
  else
    a.v6.lo |= 1ULL << (127 - i);
  return Prefix{a, static_cast<std::uint8_t>(i + 1)};
}

/// The table's more-specifics strictly inside `p`, in id order (a preorder of
/// the prefix tree: address, then length), found by one binary search.
std::vector<Route> more_specifics(const LpmTable& table, const Prefix& p) {
  auto count = static_cast<PrefixId>(table.prefix_count());
  PrefixId lo = 1, hi = count + 1;  // first id whose prefix is >= p
  while (lo < hi) {
    PrefixId mid = lo + (hi - lo) / 2;
    if (table.prefix(mid) < p)
      lo = mid + 1;
    else
      hi = mid;
  }
  std::vector<Route> out;
  for (PrefixId id = lo; id <= count; ++id) {
    Prefix q = table.prefix(id);
    if (!contains(p, q.addr)) break;
    if (q.len > p.len) out.push_back(Route{q, table.asn(id)});
  }
  return out;
}

/// Appends to `out` the part of `block` whose answer is `asn`, where `label`
/// is the origin of the longest prefix holding all of block and `inside` the
/// more-specifics within it, in preorder. Halving stops where nothing inside
/// changes the answer, so each more-specific costs at most its depth.
void carve_block(const Prefix& block, std::uint32_t label, std::span<const Route> inside, std::uint32_t asn,
                 std::vector<Prefix>& out) {
  if (!inside.empty() && inside.front().prefix == block) {
    label = inside.front().asn;
    inside = inside.subspan(1);
  }
  bool uniform = std::all_of(inside.begin(), inside.end(),
                             [&](const Route& r) { return (r.asn == asn) == (label == asn); });
  if (uniform) {
    if (label == asn) out.push_back(block);
    return;
  }
  // Preorder puts everything in the lower half before the upper half.
  auto split = std::partition_point(inside.begin(), inside.end(),
                                    [&](const Route& r) { return !bit_at(r.prefix.addr, block.len); });
  auto lower_count = static_cast<std::size_t>(split - inside.begin());
  Prefix lower{block.addr, static_cast<std::uint8_t>(block.len + 1)};
  carve_block(lower, label, inside.first(lower_count), asn, out);
  carve_block(upper_half(block), label, inside.subspan(lower_count), asn, out);
}

bool siblings(const Prefix& a, const Prefix& b) noexcept {
  return a.len == b.len && a.len > 1 && a.addr.family == b.addr.family && a != b &&
         mask(a.addr, a.len - 1U) == mask(b.addr, b.len - 1U);
}

}  // namespace

std::vector<Prefix> merge_sibling_prefixes(std::vector<Prefix> sorted) {
  // A stack works like a binary counter: sorted input brings the two halves
  // of a block next to each other, and joining them may complete a larger one.
  std::vector<Prefix> out;
  out.reserve(sorted.size());
  for (const Prefix& p : sorted) {
    out.push_back(p);
    while (out.size() >= 2 && siblings(out[out.size() - 2], out.back())) {
      Prefix parent{out[out.size() - 2].addr, static_cast<std::uint8_t>(out.back().len - 1)};
      out.pop_back();
      out.back() = parent;
    }
  }
  return out;
}

std::vector<Prefix> carved_prefix_space(const LpmTable& table, const Prefix& p, std::uint32_t asn) {
  if (p.len == 0) return {};
  std::vector<Route> inside = more_specifics(table, p);
  std::vector<Prefix> out;
  carve_block(p, asn, inside, asn, out);
  return merge_sibling_prefixes(std::move(out));
}

std::vector<Prefix> carved_asn_space(const LpmTable& table, std::uint32_t asn) {
  // Only the outermost prefixes of the ASN are carved: a nested one of the
  // same ASN (even below another ASN's more-specific) is inside their carving.
  std::vector<Prefix> pieces;
  const Prefix* outer = nullptr;
  std::vector<Prefix> own = table.as_prefixes(asn);
  for (const Prefix& p : own) {
    if (p.len == 0 || (outer != nullptr && contains(*outer, p.addr))) continue;
    outer = &p;
    std::vector<Prefix> carved = carved_prefix_space(table, p, asn);
    pieces.insert(pieces.end(), carved.begin(), carved.end());
  }
  return merge_sibling_prefixes(std::move(pieces));
}

}  // namespace asncounter
