#pragma once
// The rules against the store's windows: which ASNs and prefixes cross a
// threshold now. Reads only (the store's windowed tables); never on the hot
// path: the history clock's thread runs it once a step.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "daemon/mitigate/decision.hpp"
#include "daemon/mitigate/rule.hpp"
#include "daemon/store/history_config.hpp"

namespace asncounter {
class CounterStore;
}

namespace asncounter::mitigate {

/// A target a rule found over its threshold, with what it measured.
struct Candidate {
  Target target;
  std::optional<std::uint32_t> origin;  ///< a prefix's ASN
  const Rule* rule{};
  std::uint64_t value{};  ///< hits, bytes, or a share in hundredths of a percent
};

/// Every target over some rule's threshold at `now`, the first rule that
/// matched it first; windows shared by rules are read once. A prefix rule
/// reads only the `max_prefix_rows` heaviest prefixes by its measure: more
/// could not be blocked under mitigate-max-prefixes anyway (the book refuses,
/// and logs, what is over the cap), and ranking a full table of a million
/// rows each step would cost more than the rest of the step.
std::vector<Candidate> evaluate(const std::vector<Rule>& rules, const CounterStore& store, MonoTime now,
                                std::size_t max_prefix_rows);

}  // namespace asncounter::mitigate
