#pragma once
// "did you mean": the nearest of a few known names to a mistyped one, for
// the daemon's config keys and asncounterctl's commands.

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace asncounter {

/// The name in `known` closest to `typed` by edit distance, when it is close
/// enough to be a typo (at most a third of its length, at least 1 edit
/// allowed, or `typed` is a prefix of it); nullopt otherwise.
std::optional<std::string> nearest_name(std::string_view typed, std::span<const std::string> known);

/// "; did you mean 'NAME'?" for the nearest name, or "" when none is near.
std::string did_you_mean(std::string_view typed, std::span<const std::string> known);

}  // namespace asncounter
