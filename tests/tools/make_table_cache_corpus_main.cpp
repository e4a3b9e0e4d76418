// Writes the seed corpus of the table cache fuzz target
// (tests/fuzz/corpus/table_cache) with the cache writer itself:
//   make_table_cache_corpus DIR
// Valid caches of small tables, then truncations and bit flips of one.
// A cache always holds the 4 MiB IPv4 slot array, so valid seeds are few.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/table/table_cache.hpp"
#include "tests/support/tables.hpp"

namespace {

void write(const std::filesystem::path& path, const std::vector<unsigned char>& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_table_cache_corpus DIR\n");
    return 2;
  }
  std::filesystem::path dir = argv[1];
  std::filesystem::create_directories(dir);
  asncounter::SourceStamp source{"/var/cache/asncounter/rib.20261130.0600.bz2", 123456789,
                                 1764482400000000000};
  auto small = asncounter::test::table_of({{"192.0.2.0/24", 64496},
                                           {"198.51.100.0/22", 64497},
                                           {"198.51.100.128/25", 64498},
                                           {"198.51.100.130/31", 64499},
                                           {"2001:db8::/32", 64501},
                                           {"2001:db8:1::/48", 64502},
                                           {"2001:db8:1:2::/64", 64503}});
  auto valid = asncounter::table_cache_bytes(*small, source);
  write(dir / "valid_v4_v6", valid);
  // An IPv6 bucket crowded enough to need child nodes.
  std::vector<std::pair<std::string, std::uint32_t>> many;
  for (int i = 0; i < 40; ++i) many.emplace_back("2001:db8:" + std::to_string(i) + "::/48", 64500U + i);
  std::vector<std::pair<const char*, std::uint32_t>> refs;
  for (const auto& [p, a] : many) refs.emplace_back(p.c_str(), a);
  write(dir / "valid_v6_nodes", asncounter::table_cache_bytes(*asncounter::test::table_of(refs), source));
  for (std::size_t len : {std::size_t{16}, std::size_t{200}, std::size_t{300}, std::size_t{4096}})
    write(dir / ("truncated_" + std::to_string(len)),
          std::vector<unsigned char>(valid.begin(), valid.begin() + static_cast<std::ptrdiff_t>(len)));
  auto flipped = valid;
  flipped[valid.size() - 5] ^= 0x04;
  write(dir / "flipped_payload", flipped);
  return 0;
}
