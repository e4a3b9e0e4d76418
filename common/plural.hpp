#pragma once
// "1 input", "2 inputs": counts in messages agree with their noun.

#include <cstdint>
#include <string>
#include <string_view>

namespace asncounter {

/// `n` and `noun`, in its plural unless `n` is 1 ("1 input", "0 inputs");
/// the plural is `noun` with an "s" unless given ("prefix", "prefixes").
inline std::string count_of(std::uint64_t n, std::string_view noun, std::string_view plural = {}) {
  if (n == 1) return "1 " + std::string(noun);
  return std::to_string(n) + " " + (plural.empty() ? std::string(noun) + "s" : std::string(plural));
}

}  // namespace asncounter
