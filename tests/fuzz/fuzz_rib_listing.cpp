// Fuzz target: the archive listing parser (a mirror's HTML is untrusted).
#include <cstdint>
#include <string_view>

#include "daemon/refresh/archive_index.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view html(reinterpret_cast<const char*>(data), size);
  auto files = asncounter::parse_rib_listing(html);
  for (std::size_t i = 1; i < files.size(); ++i)
    if (files[i - 1].time > files[i].time) __builtin_trap();  // must come out sorted
  return 0;
}
