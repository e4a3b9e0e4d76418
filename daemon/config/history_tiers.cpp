#include "daemon/config/history_tiers.hpp"

#include <climits>

#include "common/parse_duration.hpp"

namespace asncounter {

namespace {
// More tiers than this buy nothing (each is fed by the one before it).
constexpr std::size_t kMaxTiers = 8;
}  // namespace

Result<std::vector<std::pair<unsigned, unsigned>>> parse_history_tiers(std::string_view text) {
  std::vector<std::pair<unsigned, unsigned>> tiers;
  for (bool more = !text.empty(); more;) {
    const auto comma = text.find(',');
    const std::string_view part = text.substr(0, comma);
    more = comma != std::string_view::npos;
    text = more ? text.substr(comma + 1) : std::string_view{};
    const auto colon = part.find(':');
    const auto res =
        colon == std::string_view::npos ? std::nullopt : parse_duration_seconds(part.substr(0, colon));
    const auto span =
        colon == std::string_view::npos ? std::nullopt : parse_duration_seconds(part.substr(colon + 1));
    if (!res || !span || *res == 0 || *span == 0 || *res > UINT_MAX || *span > UINT_MAX)
      return Error{"'" + std::string(part) + "' is not RESOLUTION:SPAN (as in 1m:1d)"};
    if (*span < *res) return Error{"'" + std::string(part) + "' spans less than one of its steps"};
    if (!tiers.empty() && *res <= tiers.back().first)
      return Error{"'" + std::string(part) + "' is not coarser than the tier before it"};
    if (!tiers.empty() && *res % tiers.back().first != 0)
      return Error{"'" + std::string(part) + "': a resolution must be a multiple of the one before it"};
    tiers.emplace_back(static_cast<unsigned>(*res), static_cast<unsigned>(*span));
    if (tiers.size() > kMaxTiers) return Error{"more than " + std::to_string(kMaxTiers) + " tiers"};
  }
  return tiers;
}

}  // namespace asncounter
