#pragma once
// The rows of the report tables: what the store answers, what the RPC
// carries and what the one-shot report and the ctl print.

#include <cstdint>
#include <optional>
#include <vector>

#include "common/ip.hpp"

namespace asncounter {

/// Hits, bytes and request-time totals of one ASN or prefix.
struct Counts {
  std::uint64_t hits{};
  std::uint64_t bytes{};
  std::uint64_t latency_us_sum{};   ///< sum of request times, microseconds
  std::uint64_t latency_samples{};  ///< hits that carried a request time

  /// Saturating: a sum of counts fed by outside input sticks at 2^64-1
  /// instead of wrapping to a small number (totals, merges, ASN rows).
  Counts& operator+=(const Counts& o) noexcept {
    hits = sat(hits, o.hits);
    bytes = sat(bytes, o.bytes);
    latency_us_sum = sat(latency_us_sum, o.latency_us_sum);
    latency_samples = sat(latency_samples, o.latency_samples);
    return *this;
  }
  friend bool operator==(const Counts&, const Counts&) = default;

 private:
  static std::uint64_t sat(std::uint64_t a, std::uint64_t b) noexcept {
    std::uint64_t r;
    return __builtin_add_overflow(a, b, &r) ? UINT64_MAX : r;
  }
};

/// `to += c` modulo 2^64, for the history's rolling sums, which take steps
/// away again as they leave a window and so must wrap back, not stick.
inline void add_wrapping(Counts& to, const Counts& c) noexcept {
  to.hits += c.hits;
  to.bytes += c.bytes;
  to.latency_us_sum += c.latency_us_sum;
  to.latency_samples += c.latency_samples;
}

/// `to -= c` modulo 2^64: takes away what add_wrapping added.
inline void subtract_wrapping(Counts& to, const Counts& c) noexcept {
  to.hits -= c.hits;
  to.bytes -= c.bytes;
  to.latency_us_sum -= c.latency_us_sum;
  to.latency_samples -= c.latency_samples;
}

/// One row of the ASN table; asn is empty for unrouted ("None").
struct AsnRow {
  std::optional<std::uint32_t> asn;
  Counts counts;
};

/// One row of the prefix table; both empty for unrouted ("None").
struct PrefixRow {
  std::optional<Prefix> prefix;
  std::optional<std::uint32_t> asn;
  Counts counts;
};

/// Top-N answer with the totals the percentages are taken of.
template <class Row>
struct TopTable {
  Counts total;           ///< over every row, not only those returned
  bool has_bytes{};       ///< some input carried bytes
  bool has_latency{};     ///< some input carried request times
  std::vector<Row> rows;  ///< by hits descending, ties by key ascending
};

using AsnTable = TopTable<AsnRow>;
using PrefixTable = TopTable<PrefixRow>;

}  // namespace asncounter
