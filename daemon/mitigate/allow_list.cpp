#include "daemon/mitigate/allow_list.hpp"

#include "common/parse_number.hpp"

namespace asncounter::mitigate {

bool covers(const Prefix& outer, const Prefix& inner) {
  return outer.addr.family == inner.addr.family && outer.len <= inner.len && contains(outer, inner.addr);
}

bool overlap(const Prefix& a, const Prefix& b) { return covers(a, b) || covers(b, a); }

Result<AllowList> AllowList::parse(const std::vector<std::string>& values) {
  AllowList list;
  for (const std::string& value : values) {
    std::size_t i = 0;
    while (i < value.size()) {
      while (i < value.size() && (value[i] == ',' || value[i] == ' ' || value[i] == '\t')) ++i;
      std::size_t start = i;
      while (i < value.size() && value[i] != ',' && value[i] != ' ' && value[i] != '\t') ++i;
      if (i == start) continue;
      std::string_view word(value.data() + start, i - start);
      auto target = parse_target(word);
      if (!target) {
        // A bare number is an ASN too, as in every other ASN option.
        auto asn = parse_unsigned<std::uint32_t>(word);
        if (!asn)
          return Error{"'" + std::string(word) + "' is neither an ASN (AS64496) nor a prefix (192.0.2.0/24)"};
        target = Target{asn, std::nullopt};
      }
      if (target->asn)
        list.asns_.insert(*target->asn);
      else
        list.prefixes_.push_back(*target->prefix);
    }
  }
  return list;
}

std::optional<Prefix> AllowList::overlapping(const Prefix& p) const {
  for (const Prefix& a : prefixes_)
    if (overlap(a, p)) return a;
  return std::nullopt;
}

}  // namespace asncounter::mitigate
