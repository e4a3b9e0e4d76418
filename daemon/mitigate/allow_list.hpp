#pragma once
// mitigate-allow: ASNs and prefixes never banned (the host's own networks,
// its upstreams, the crawlers it wants).

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "common/ip.hpp"
#include "common/result.hpp"
#include "daemon/mitigate/decision.hpp"

namespace asncounter::mitigate {

class AllowList {
 public:
  /// Entries such as "AS64496", "64497", "192.0.2.0/24", "2001:db8::/32",
  /// each option value a comma or space separated list.
  static Result<AllowList> parse(const std::vector<std::string>& values);

  bool allows_asn(std::uint32_t asn) const { return asns_.count(asn) != 0; }
  /// The first allowed prefix that overlaps `p`, if any.
  std::optional<Prefix> overlapping(const Prefix& p) const;
  bool empty() const { return asns_.empty() && prefixes_.empty(); }

 private:
  std::set<std::uint32_t> asns_;
  std::vector<Prefix> prefixes_;
};

/// Whether `outer` holds all of `inner` (same family, shorter or equal length).
bool covers(const Prefix& outer, const Prefix& inner);
/// Whether `a` and `b` share an address.
bool overlap(const Prefix& a, const Prefix& b);

}  // namespace asncounter::mitigate
