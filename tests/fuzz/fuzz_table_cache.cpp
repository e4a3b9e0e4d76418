// Fuzz target: the table cache reader (a cache file may be damaged in any
// way, or planted). Each input is read twice: as it is (the checksum turns
// nearly all of it away), then with its checksum repaired, so that the
// header and structure checks behind the checksum get fuzzed too. Whatever
// is accepted must answer lookups and walk its prefixes without reading out
// of bounds (ASan, UBSan).
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "common/table/table_cache.hpp"

namespace {

void exercise(const asncounter::LpmTable& t) {
  using asncounter::Address;
  std::uint32_t v4 = 0x9e3779b9U;
  std::uint64_t v6 = 0x9e3779b97f4a7c15ULL;
  Address in[64];
  for (std::size_t i = 0; i < 64; ++i) {
    v4 = v4 * 2654435761U + 1;
    v6 = v6 * 6364136223846793005ULL + 1442695040888963407ULL;
    in[i] = i % 2 ? Address::from_v4(v4) : Address::from_v6({v6, v6 ^ v4});
  }
  asncounter::PrefixId out[64];
  t.lookup_ids(in, out);
  for (std::size_t i = 0; i < 64; ++i) {
    if (out[i] > t.prefix_count() || t.lookup_id(in[i]) != out[i]) __builtin_trap();
    if (auto m = t.lookup(in[i])) static_cast<void>(asncounter::to_string(m->prefix));
  }
  for (asncounter::PrefixId id = 0; id <= t.prefix_count() && id < 4096; ++id)
    static_cast<void>(asncounter::to_string(t.prefix(id)));
  static_cast<void>(t.routes());
}

void read(const std::uint8_t* data, std::size_t size) {
  // At a 64-byte boundary, as a mapping would be.
  std::shared_ptr<unsigned char[]> mem(
      static_cast<unsigned char*>(std::aligned_alloc(64, size / 64 * 64 + 64)), std::free);
  if (size > 0) std::memcpy(mem.get(), data, size);
  auto table = asncounter::table_from_cache_bytes({mem.get(), size}, mem, nullptr);
  if (table) exercise(**table);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  read(data, size);
  constexpr std::size_t at = asncounter::kTableCacheChecksumOffset;
  if (size >= at + 8) {
    std::unique_ptr<std::uint8_t[]> fixed(new std::uint8_t[size]);
    std::memcpy(fixed.get(), data, size);
    std::uint64_t sum = asncounter::table_cache_checksum({fixed.get(), size});
    std::memcpy(fixed.get() + at, &sum, sizeof sum);
    read(fixed.get(), size);
  }
  return 0;
}
