#pragma once
// Internals of the counter store shared by its write side
// (counter_store.cpp) and its read side (store_merge.cpp).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "common/counts.hpp"
#include "daemon/store/generation.hpp"
#include "daemon/store/history.hpp"
#include "daemon/store/rank_by.hpp"
#include "daemon/store/store_rows.hpp"

namespace asncounter {

/// What the reader lock guards: everything but the live shard arrays.
struct ReadState {
  /// Replaced generations a writer may still hold; folded once none does.
  std::vector<std::shared_ptr<Generation>> retired;
  /// Totals of past (prefix, ASN) pairs the current table does not have.
  RowMap orphans;
  std::uint64_t generations = 1;        ///< tables installed so far
  std::uint64_t folded_contention = 0;  ///< contention of generations already folded
  std::unique_ptr<History> history;     ///< null: no history kept
  /// Per-id sums for the read under way (a window's, or a merge of the
  /// shards for a prefix table); kept: one buffer for both, and no reader
  /// page-faults its 20 MiB (full table, four fields) each time.
  Summed scratch;
};

/// Everything a read merges: the current generation plus rows that live
/// elsewhere (orphans, generations not folded yet). `extra` never holds id 0.
struct MergeInput {
  Generation& current;
  const RowMap& extra;
  Counts extra_unrouted;
  Summed& scratch;  ///< ReadState::scratch, for per-id sums
};

/// Per-ASN totals, sorted and cut to `limit` (0: all).
AsnTable merge_asns(const MergeInput& in, std::size_t limit);
/// Per-prefix totals, sorted and cut to `limit` (0: all), only `asn`'s when given.
PrefixTable merge_prefixes(const MergeInput& in, std::size_t limit, std::optional<std::uint32_t> asn);

/// The same from per-id sums of `current` (a window's), plus `extra` rows.
AsnTable rank_asns(const Generation& current, const Summed& sums, const RowMap& extra, std::size_t limit);
PrefixTable rank_prefixes(const Generation& current, const Summed& sums, const RowMap& extra,
                          std::size_t limit, std::optional<std::uint32_t> asn, RankBy by = RankBy::hits);

/// Adds every non-zero row of `g` to `rows` (id 0 to `unrouted`).
void collect_rows(Generation& g, RowMap& rows, Counts& unrouted);

}  // namespace asncounter
