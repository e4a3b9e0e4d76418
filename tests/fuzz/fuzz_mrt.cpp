// Fuzz target: the MRT reader (RIB dumps come from the network, then a
// decompressor: any byte sequence can reach it).
#include <cstdint>
#include <span>

#include "common/table/mrt_attributes.hpp"
#include "common/table/mrt_reader.hpp"
#include "common/table/table_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const unsigned char> bytes(data, size);
  (void)asncounter::detect_table_format(bytes);
  auto set = asncounter::read_mrt(bytes, "fuzz.mrt");
  if (!set) {
    if (set.error().find("fuzz.mrt") == std::string::npos) __builtin_trap();  // errors name the input
    return 0;
  }
  // Whatever was read must be a table we can trust: valid prefixes, real
  // origins, no default route, each prefix once.
  for (std::size_t i = 0; i < set->routes.size(); ++i) {
    const auto& r = set->routes[i];
    if (r.prefix.len == 0 || r.prefix.len > asncounter::family_bits(r.prefix.addr.family)) __builtin_trap();
    if (asncounter::mask(r.prefix.addr, r.prefix.len) != r.prefix.addr) __builtin_trap();
    if (asncounter::is_bogus_asn(r.asn)) __builtin_trap();
    if (i > 0 && i < 64) {
      for (std::size_t j = 0; j < i; ++j)
        if (set->routes[j].prefix == r.prefix) __builtin_trap();
    }
  }
  if (set->routes.size() + set->skipped_records > set->records) __builtin_trap();
  return 0;
}
