#include "daemon/mitigate/decision.hpp"

#include <array>

#include "common/parse_number.hpp"

namespace asncounter::mitigate {
namespace {
constexpr std::array<std::string_view, 4> kStateNames = {"active", "expired", "removed", "refused"};
}

std::string target_text(const Target& t) {
  if (t.asn) return "AS" + std::to_string(*t.asn);
  return t.prefix ? to_string(*t.prefix) : std::string("none");
}

std::optional<Target> parse_target(std::string_view text) {
  if (text.size() > 2 && (text[0] == 'A' || text[0] == 'a') && (text[1] == 'S' || text[1] == 's')) {
    auto asn = parse_unsigned<std::uint32_t>(text.substr(2));
    if (!asn) return std::nullopt;
    return Target{asn, std::nullopt};
  }
  auto p = parse_prefix(text);
  if (!p) {
    // One address is the prefix of that address alone.
    auto a = parse_address(text);
    if (!a) return std::nullopt;
    p = Prefix{*a, static_cast<std::uint8_t>(family_bits(a->family))};
  }
  return Target{std::nullopt, p};
}

std::string_view name_of(State s) { return kStateNames[static_cast<std::size_t>(s)]; }

std::optional<State> parse_state(std::string_view s) {
  for (std::size_t i = 0; i < kStateNames.size(); ++i)
    if (kStateNames[i] == s) return static_cast<State>(i);
  return std::nullopt;
}

}  // namespace asncounter::mitigate
