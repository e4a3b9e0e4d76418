#pragma once
// Folding a coarse step (docs/architecture.md "History"): the heaviest
// prefixes stay exact, the rest are summed into one "other prefixes" entry
// per ASN, so that every ASN's sum and the total stay exact while a step of
// a whole hour costs about one entry per active ASN instead of one per
// active prefix.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "common/counts.hpp"
#include "daemon/store/step_codec.hpp"

namespace asncounter {

struct FoldedEntries {
  std::vector<StepEntry> kept;    ///< the entries kept as they were, keys ascending
  std::vector<StepEntry> others;  ///< per ASN: key = the ASN (not a step key), counts summed
  Counts bound;                   ///< the largest hits and the largest bytes of an entry folded
  std::uint64_t folded{};         ///< entries summed into `others`
};

/// Keeps the `k` entries with most hits and the `k` with most bytes (ties:
/// lower key first), every entry `keep_always` says to keep, and folds the
/// rest by `asn_of(key)`. `sorted` is keys ascending.
template <class AsnOf, class KeepAlways>
FoldedEntries fold_step(std::span<const StepEntry> sorted, std::size_t k, AsnOf&& asn_of,
                        KeepAlways&& keep_always);

namespace step_fold_detail {
/// Marks in `keep` the `k` entries ranking first by `field`.
void mark_top(std::span<const StepEntry> sorted, std::size_t k, std::uint64_t Counts::*field,
              std::vector<bool>& keep);
/// The per-ASN sums as entries keyed by ASN, ASNs ascending.
std::vector<StepEntry> sorted_by_asn(const std::unordered_map<std::uint32_t, Counts>& by_asn);
}  // namespace step_fold_detail

template <class AsnOf, class KeepAlways>
FoldedEntries fold_step(std::span<const StepEntry> sorted, std::size_t k, AsnOf&& asn_of,
                        KeepAlways&& keep_always) {
  FoldedEntries out;
  if (sorted.size() <= k) {
    out.kept.assign(sorted.begin(), sorted.end());
    return out;
  }
  std::vector<bool> keep(sorted.size());
  step_fold_detail::mark_top(sorted, k, &Counts::hits, keep);
  step_fold_detail::mark_top(sorted, k, &Counts::bytes, keep);
  std::unordered_map<std::uint32_t, Counts> by_asn;  // one entry per ASN, not per folded prefix
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    const StepEntry& e = sorted[i];
    if (keep[i] || keep_always(e.key)) {
      out.kept.push_back(e);
      continue;
    }
    by_asn[asn_of(e.key)] += e.counts;
    out.bound.hits = std::max(out.bound.hits, e.counts.hits);
    out.bound.bytes = std::max(out.bound.bytes, e.counts.bytes);
    ++out.folded;
  }
  out.others = step_fold_detail::sorted_by_asn(by_asn);
  return out;
}

}  // namespace asncounter
