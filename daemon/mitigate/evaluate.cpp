#include "daemon/mitigate/evaluate.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "daemon/store/counter_store.hpp"

namespace asncounter::mitigate {
namespace {

// hits × 10000 / total without overflow for any count (saturated counts included).
std::uint64_t share_of(std::uint64_t hits, std::uint64_t total) {
  if (total == 0) return 0;
  return static_cast<std::uint64_t>(static_cast<long double>(hits) * 10000.0L /
                                    static_cast<long double>(total));
}

std::uint64_t measured(const Rule& r, const Counts& c, const Counts& total) {
  switch (r.measure) {
    case Measure::hits:
      return c.hits;
    case Measure::bytes:
      return c.bytes;
    case Measure::share:
      return share_of(c.hits, total.hits);
  }
  return 0;
}

// What orders the rows a rule reads: share is of hits.
RankBy rank_for(const Rule& r) { return r.measure == Measure::bytes ? RankBy::bytes : RankBy::hits; }

// `by`: the order of the table's rows. When it is the rule's own measure, the
// first row under the threshold ends the walk.
template <class Table, class Key>
void match_rules(const std::vector<const Rule*>& rules, const Table& table, RankBy by, Key key_of,
                 std::vector<Candidate>& out, std::set<std::string>& seen) {
  for (const Rule* rule : rules) {
    for (const auto& row : table.rows) {
      const std::uint64_t value = measured(*rule, row.counts, table.total);
      if (!rule->crossed(value)) {
        if (rank_for(*rule) == by) break;
        continue;
      }
      auto candidate = key_of(row);
      if (!candidate) continue;  // the unrouted row is never a target
      candidate->rule = rule;
      candidate->value = value;
      if (seen.insert(target_text(candidate->target)).second) out.push_back(*candidate);
    }
  }
}

}  // namespace

std::vector<Candidate> evaluate(const std::vector<Rule>& rules, const CounterStore& store, MonoTime now,
                                std::size_t max_prefix_rows) {
  // Rules grouped by what they read: one windowed table per (scope, window,
  // order). ASN tables are small (tens of thousands of rows): read whole.
  std::map<std::tuple<Scope, std::chrono::seconds, RankBy>, std::vector<const Rule*>> groups;
  for (const Rule& r : rules)
    groups[{r.scope, r.window, r.scope == Scope::asn ? RankBy::hits : rank_for(r)}].push_back(&r);
  std::vector<Candidate> out;
  std::set<std::string> seen;
  for (const auto& [key, group] : groups) {
    const auto& [scope, length, by] = key;
    const Window window{length, now};
    if (scope == Scope::asn) {
      auto table = store.top_asns(0, window).table;
      match_rules(
          group, table, RankBy::hits,
          [](const AsnRow& row) -> std::optional<Candidate> {
            if (!row.asn) return std::nullopt;
            return Candidate{Target{row.asn, std::nullopt}, row.asn};
          },
          out, seen);
    } else {
      auto table =
          store.top_prefixes(std::max<std::size_t>(max_prefix_rows, 1), std::nullopt, window, by).table;
      match_rules(
          group, table, by,
          [](const PrefixRow& row) -> std::optional<Candidate> {
            if (!row.prefix || !row.asn) return std::nullopt;
            return Candidate{Target{std::nullopt, row.prefix}, row.asn};
          },
          out, seen);
    }
  }
  return out;
}

}  // namespace asncounter::mitigate
