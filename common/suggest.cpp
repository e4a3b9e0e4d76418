#include "common/suggest.hpp"

#include <algorithm>
#include <cstddef>
#include <vector>

namespace asncounter {
namespace {

// Edit distance where swapping two neighbours is one edit (optimal string
// alignment): "tpo" is one typo away from "top". Names are short.
std::size_t distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] =
          std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::optional<std::string> nearest_name(std::string_view typed, std::span<const std::string> known) {
  if (typed.empty()) return std::nullopt;
  const std::size_t allowed = std::max<std::size_t>(1, typed.size() / 3);
  std::optional<std::string> best;
  std::size_t best_distance = allowed + 1;
  for (const std::string& name : known) {
    std::size_t d = distance(typed, name);
    // A prefix ("stat" for "stats", "save" for "save-interval") is a typo too.
    if (typed.size() >= 3 && name.starts_with(typed)) d = std::min(d, allowed);
    if (d < best_distance) best_distance = d, best = name;
  }
  return best;
}

std::string did_you_mean(std::string_view typed, std::span<const std::string> known) {
  auto near = nearest_name(typed, known);
  return near ? "; did you mean '" + *near + "'?" : std::string();
}

}  // namespace asncounter
