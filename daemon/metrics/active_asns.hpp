#pragma once
// Which ASNs get their own metric series (DESIGN.md "Time: since start, and
// now"): the K most active over `metrics-window`, their values since start,
// and one `other` series with the rest, so that the series sum to the total.

#include <cstddef>

#include "common/counts.hpp"
#include "daemon/store/counter_store.hpp"

namespace asncounter {

/// The per-ASN series of one scrape.
struct ActiveAsns {
  AsnTable rows;  ///< the K chosen, most active first, counts since start; total: every ASN since start
  Counts other;   ///< total minus the rows: every ASN not chosen, unrouted included
};

/// The K ASNs with the most hits in `a.window` (the K first since start when
/// the store keeps no history), with their since-start counts.
ActiveAsns select_active_asns(const AsnActivity& a, std::size_t k);

}  // namespace asncounter
