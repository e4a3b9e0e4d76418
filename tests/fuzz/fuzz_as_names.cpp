// Fuzz target: the AS-name parsers (asnames.json and autnums.html are
// downloaded from the internet).
#include <cstdint>
#include <string_view>

#include "common/table/as_names.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto json = asncounter::AsNames::parse_json(text);
  if (json && json->size() > size) __builtin_trap();
  auto html = asncounter::AsNames::parse_autnums_html(text);
  if (html && (html->size() == 0 || html->size() > size)) __builtin_trap();
  return 0;
}
