#pragma once
// `"sort"`: the store ranks rows by hits (its top-N is kept by hits). By
// bytes, a volumetric flood (few hits, many bytes) comes first: the handler
// then asks the store for every row and ranks them here, so the rows a
// limit keeps are the heaviest by bytes, not the heaviest by hits
// re-ordered. By prefix: address order (prefix rows only).

#include <algorithm>
#include <cstddef>
#include <vector>

#include "common/counts.hpp"
#include "common/rpc.hpp"

namespace asncounter::rpc {

/// True when the request asks for rows in another order than by hits.
inline bool sorts_rows(const Params& p) { return p.word(ParamId::sort).value_or("hits") != "hits"; }

/// True when the request asks for address order, which only prefix rows have.
inline bool sorts_by_prefix(const Params& p) { return p.word(ParamId::sort) == "prefix"; }

/// Orders `rows` by bytes, descending; ties keep the store's order (hits
/// descending, then key); then keeps the first `keep` (0: all).
template <class Row>
void rank_by_bytes(std::vector<Row>& rows, std::size_t keep) {
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Row& a, const Row& b) { return a.counts.bytes > b.counts.bytes; });
  if (keep != 0 && rows.size() > keep) rows.resize(keep);
}

/// Orders prefix rows by the request's sort (bytes or address; the
/// unrouted row last), then keeps the first `keep` (0: all).
inline void rank_prefixes(std::vector<PrefixRow>& rows, const Params& p, std::size_t keep) {
  if (!sorts_by_prefix(p)) return rank_by_bytes(rows, keep);
  std::stable_sort(rows.begin(), rows.end(), [](const PrefixRow& a, const PrefixRow& b) {
    if (a.prefix.has_value() != b.prefix.has_value()) return a.prefix.has_value();
    return a.prefix && *a.prefix < *b.prefix;
  });
  if (keep != 0 && rows.size() > keep) rows.resize(keep);
}

}  // namespace asncounter::rpc
