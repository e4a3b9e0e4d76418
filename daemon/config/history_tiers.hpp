#pragma once
// The history-tiers option: the coarse tiers as "RESOLUTION:SPAN" pairs,
// finest first, each a duration (60s, 1m, 1h, 7d); empty: no coarse tiers.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.hpp"

namespace asncounter {

/// (resolution, span) in seconds per tier, or an error naming the part that is wrong.
Result<std::vector<std::pair<unsigned, unsigned>>> parse_history_tiers(std::string_view text);

}  // namespace asncounter
