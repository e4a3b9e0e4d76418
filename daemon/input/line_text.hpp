#pragma once
// Small text helpers the line formats share; inline because they sit on the
// per-line hot path.

#include <cstddef>
#include <cstring>
#include <optional>
#include <string_view>

#include "common/ip.hpp"

namespace asncounter::text {

/// Blanks as awk splits on them, plus the CR of CRLF logs.
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

/// The next blank-separated field from `pos` (awk's $N walk); empty at the end.
constexpr std::string_view next_field(std::string_view s, std::size_t& pos) {
  while (pos < s.size() && is_space(s[pos])) ++pos;
  std::size_t start = pos;
  while (pos < s.size() && !is_space(s[pos])) ++pos;
  return s.substr(start, pos - start);
}

/// `s` trimmed and cut at its first '#' (a comment).
inline std::string_view strip_comment(std::string_view s) {
  const void* hash = std::memchr(s.data(), '#', s.size());
  if (hash) s = s.substr(0, static_cast<std::size_t>(static_cast<const char*>(hash) - s.data()));
  return trim(s);
}

/// 1 to 5 decimal digits, at most 65535.
constexpr bool is_port(std::string_view s) {
  if (s.empty() || s.size() > 5) return false;
  unsigned n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<unsigned>(c - '0');
  }
  return n <= 65535;
}

/// An address that may carry an IPv6 zone ("fe80::1%eth0"); the zone is dropped.
inline std::optional<Address> parse_zoned(std::string_view s) noexcept {
  std::size_t pct = s.find('%');
  if (pct != std::string_view::npos) {
    if (pct + 1 == s.size()) return std::nullopt;
    auto a = parse_address(s.substr(0, pct));
    if (!a || a->is_v4()) return std::nullopt;
    return a;
  }
  return parse_address(s);
}

}  // namespace asncounter::text
