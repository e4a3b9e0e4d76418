#include "daemon/metrics/active_asns.hpp"

#include <cstdint>
#include <unordered_map>

namespace asncounter {
namespace {

// Unrouted (no ASN) is a row like the others; it takes a key no ASN has.
std::uint64_t key_of(const AsnRow& row) { return row.asn ? *row.asn : std::uint64_t{1} << 32; }

}  // namespace

ActiveAsns select_active_asns(const AsnActivity& a, std::size_t k) {
  ActiveAsns out;
  out.rows.total = a.since_start.total;
  out.rows.has_bytes = a.since_start.has_bytes;
  out.rows.has_latency = a.since_start.has_latency;
  if (!a.window) {
    for (std::size_t i = 0; i < a.since_start.rows.size() && i < k; ++i)
      out.rows.rows.push_back(a.since_start.rows[i]);
  } else {
    std::unordered_map<std::uint64_t, const AsnRow*> since_start;
    since_start.reserve(a.since_start.rows.size());
    for (const auto& row : a.since_start.rows) since_start.emplace(key_of(row), &row);
    for (const auto& row : a.window->table.rows) {
      if (out.rows.rows.size() >= k) break;
      // Both reads are under one lock, but writers do not take it: a hit
      // counted between them may show in the window only. Its ASN waits
      // for the next scrape rather than get a series the total lacks.
      auto it = since_start.find(key_of(row));
      if (it == since_start.end()) continue;
      out.rows.rows.push_back(*it->second);
    }
  }
  // The rows shown, summed saturating like the total; "other" is the rest,
  // never below 0: at saturation the total is no longer the exact sum, and
  // a wrapped subtraction made "other" the largest series of all.
  Counts shown;
  for (const auto& row : out.rows.rows) shown += row.counts;
  auto rest = [](std::uint64_t total, std::uint64_t part) { return total > part ? total - part : 0; };
  out.other.hits = rest(out.rows.total.hits, shown.hits);
  out.other.bytes = rest(out.rows.total.bytes, shown.bytes);
  out.other.latency_us_sum = rest(out.rows.total.latency_us_sum, shown.latency_us_sum);
  out.other.latency_samples = rest(out.rows.total.latency_samples, shown.latency_samples);
  return out;
}

}  // namespace asncounter
