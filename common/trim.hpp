#pragma once
// The one definition of a blank and of trimming, for every text the code
// reads (config lines, table dumps, log lines, addresses on stdin).

#include <cstddef>
#include <string_view>

namespace asncounter::text {

/// Blanks as awk splits on them, plus the CR of CRLF files.
constexpr bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/// `s` without leading and trailing blanks.
constexpr std::string_view trim(std::string_view s) {
  std::size_t b = 0;
  while (b < s.size() && is_space(s[b])) ++b;
  std::size_t e = s.size();
  while (e > b && is_space(s[e - 1])) --e;
  return s.substr(b, e - b);
}

}  // namespace asncounter::text
