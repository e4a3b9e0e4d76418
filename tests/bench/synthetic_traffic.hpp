#pragma once
// The synthetic full table and traffic the store benchmarks share: PREFIXES
// /24s from 16.0.0.0 up over 60,000 origin ASNs, and the day benchmark's
// step of traffic (docs/benchmarks.md "History").

#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "common/table/lpm_table.hpp"
#include "daemon/store/counter_store.hpp"

namespace asncounter::bench {

/// PREFIXES /24s from 16.0.0.0 up, spread over 60,000 origin ASNs.
inline std::shared_ptr<const LpmTable> synthetic_table(std::uint32_t prefixes) {
  std::vector<Route> routes;
  routes.reserve(prefixes);
  for (std::uint32_t i = 0; i < prefixes; ++i)
    routes.push_back(Route{Prefix{Address::from_v4(0x10000000U + (i << 8)), 24}, 1000U + i % 60000U});
  return LpmTable::build(routes, TableInfo{"synthetic", 0, {}, 0});
}

/// An address inside the i-th prefix of synthetic_table().
inline Address nth_prefix_address(std::uint32_t i) { return Address::from_v4(0x10000000U + (i << 8) + 1); }

/// The ASN synthetic_table() gives its i-th prefix.
inline std::uint32_t nth_prefix_asn(std::uint32_t i) { return 1000U + i % 60000U; }

/// One 10 s step of the day benchmark's traffic: `moving` distinct prefixes,
/// half a fixed hot set, half drawn at random, each an event of 1-4 hits and 600 bytes;
/// `seen(i, hits, bytes)` hears of every event (prefix index i).
template <class Seen>
void feed_day_step(CounterStore& store, std::uint32_t prefixes, std::uint32_t moving, std::mt19937& rng,
                   Seen&& seen) {
  EventBatch b;
  b.has_bytes = true;
  for (std::uint32_t k = 0; k < moving; ++k) {
    std::uint32_t i =
        k < moving / 2 ? (k * 2654435761U) % prefixes : static_cast<std::uint32_t>(rng() % prefixes);
    const std::uint32_t hits = 1 + static_cast<std::uint32_t>(rng() % 4);
    b.push(nth_prefix_address(i), hits, 600);
    seen(i, hits, std::uint64_t{600});
    if (b.full()) store.add(b), b.clear();
  }
  if (b.size) store.add(b);
}

inline void feed_day_step(CounterStore& store, std::uint32_t prefixes, std::uint32_t moving,
                          std::mt19937& rng) {
  feed_day_step(store, prefixes, moving, rng, [](std::uint32_t, std::uint32_t, std::uint64_t) {});
}

}  // namespace asncounter::bench
