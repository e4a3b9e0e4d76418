#pragma once
// A mitigation rule (docs/mitigation.md "Rules"): when a network counts as
// flooding, and for how long it is banned. One `mitigate` line each:
//   SCOPE MEASURE over DURATION above THRESHOLD ban DURATION
//   asn hits over 60s above 5000 ban 10m
// The parser never throws: every refusal names the rule and the column.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace asncounter::mitigate {

/// What a rule groups counts by: a whole ASN, or one routed prefix.
enum class Scope : std::uint8_t { asn, prefix };
/// What it measures over its window: hits, bytes, or hits as a share of the window's total.
enum class Measure : std::uint8_t { hits, bytes, share };

struct Rule {
  std::string text;  ///< the rule as written, spaces collapsed (its label in decisions and metrics)
  Scope scope{};
  Measure measure{};
  std::chrono::seconds window{};  ///< counts over the last `window` of the history
  std::uint64_t threshold{};      ///< hits or bytes; for share, hundredths of a percent (30% = 3000)
  std::chrono::seconds ban{};     ///< the first ban's length (repeat offenders get longer ones)

  /// Whether `value` (hits, bytes, or a share in hundredths of a percent) crosses the threshold.
  bool crossed(std::uint64_t value) const { return value > threshold; }
};

/// Parses one rule. `history_span` bounds the window. The error reads
/// "column N: why" (1-based column of the offending word).
Result<Rule> parse_rule(std::string_view text, std::chrono::seconds history_span);

/// Parses every rule; the error names the rule ("mitigate rule 2 'asn ...': column 5: ...").
Result<std::vector<Rule>> parse_rules(const std::vector<std::string>& texts,
                                      std::chrono::seconds history_span);

/// "asn", "prefix"; "hits", "bytes", "share".
std::string_view name_of(Scope s);
std::string_view name_of(Measure m);

}  // namespace asncounter::mitigate
