#pragma once
// Strict decimal parsing for untrusted text: digits only, no sign, no
// spaces, no overflow.

#include <charconv>
#include <optional>
#include <string_view>
#include <type_traits>

namespace asncounter {

/// `s` as an unsigned number of type T, or nullopt unless `s` is exactly one.
template <class T>
std::optional<T> parse_unsigned(std::string_view s) noexcept {
  static_assert(std::is_unsigned_v<T>);
  if (s.empty() || s.front() < '0' || s.front() > '9') return std::nullopt;
  T value{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

}  // namespace asncounter
