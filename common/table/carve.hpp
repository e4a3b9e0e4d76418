#pragma once
// The exact address space a table attributes to an ASN: its prefixes minus
// the more-specifics that other ASNs announce inside them. A block by ASN
// (block-list --asn, the daemon's mitigation) must cover this and nothing
// more, or it cuts off a network the daemon's own lookup names as another AS.

#include <cstdint>
#include <vector>

#include "common/ip.hpp"
#include "common/table/lpm_table.hpp"

namespace asncounter {

/// The address space the table attributes to `asn`: its prefixes minus every more-specific the table gives
/// another ASN, as a minimal sorted list of CIDRs; never a default route, never unrouted space.
std::vector<Prefix> carved_asn_space(const LpmTable& table, std::uint32_t asn);

/// `p` minus every more-specific that the table gives an ASN other than `asn` (the origin of p); empty for a
/// default route.
std::vector<Prefix> carved_prefix_space(const LpmTable& table, const Prefix& p, std::uint32_t asn);

/// Sorted, disjoint CIDRs with every pair of sibling halves joined into their parent (never into a default
/// route): the minimal list covering the same space.
std::vector<Prefix> merge_sibling_prefixes(std::vector<Prefix> sorted);

}  // namespace asncounter
