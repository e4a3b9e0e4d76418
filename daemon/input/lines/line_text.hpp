#pragma once
// Small text helpers the line formats share; inline because they sit on the
// per-line hot path.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

#include "common/ip.hpp"
#include "common/parse_number.hpp"
#include "common/trim.hpp"

namespace asncounter::text {

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
inline bool is_port(std::string_view s) {
  return s.size() <= 5 && parse_unsigned<std::uint16_t>(s).has_value();
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
