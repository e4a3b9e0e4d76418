#include "daemon/mitigate/evaluate.hpp"

#include <map>
#include <set>

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

// Rows come by hits descending: for hits and share, the first row under the
// threshold ends the walk.
bool ordered_by_measure(const Rule& r) { return r.measure != Measure::bytes; }

template <class Table, class Key>
void match_rules(const std::vector<const Rule*>& rules, const Table& table, Key key_of,
                 std::vector<Candidate>& out, std::set<std::string>& seen) {
  for (const Rule* rule : rules) {
    for (const auto& row : table.rows) {
      const std::uint64_t value = measured(*rule, row.counts, table.total);
      if (!rule->crossed(value)) {
        if (ordered_by_measure(*rule)) break;
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

std::vector<Candidate> evaluate(const std::vector<Rule>& rules, const CounterStore& store, MonoTime now) {
  // Rules grouped by what they read: one windowed table per (scope, window).
  std::map<std::pair<Scope, std::chrono::seconds>, std::vector<const Rule*>> groups;
  for (const Rule& r : rules) groups[{r.scope, r.window}].push_back(&r);
  std::vector<Candidate> out;
  std::set<std::string> seen;
  for (const auto& [key, group] : groups) {
    const Window window{key.second, now};
    if (key.first == Scope::asn) {
      auto table = store.top_asns(0, window).table;
      match_rules(
          group, table,
          [](const AsnRow& row) -> std::optional<Candidate> {
            if (!row.asn) return std::nullopt;
            return Candidate{Target{row.asn, std::nullopt}, row.asn};
          },
          out, seen);
    } else {
      auto table = store.top_prefixes(0, std::nullopt, window).table;
      match_rules(
          group, table,
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
