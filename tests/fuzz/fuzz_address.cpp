// Fuzz target: the address and prefix parsers (every input line reaches them).
#include <cstdint>
#include <string>
#include <string_view>

#include "common/ip.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto a = asncounter::parse_address(text)) {
    // What we print must parse back to the same address.
    auto again = asncounter::parse_address(asncounter::to_string(*a));
    if (!again || *again != *a) __builtin_trap();
  }
  if (auto p = asncounter::parse_prefix(text, true)) {
    auto again = asncounter::parse_prefix(asncounter::to_string(*p));
    if (!again || *again != *p) __builtin_trap();
  }
  return 0;
}
