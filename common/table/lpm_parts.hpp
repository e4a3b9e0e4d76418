#pragma once
// Internal to the LPM table and its cache: every array a built table is made
// of, as views. A table built from routes views its own vectors; one loaded
// from the table cache (common/table/table_cache.cpp) views a mapped file.

#include <cstdint>
#include <span>

#include "common/ip.hpp"
#include "common/table/lpm_v4.hpp"
#include "common/table/lpm_v6.hpp"

namespace asncounter {

struct LpmParts {
  std::span<const std::uint32_t> asns;      ///< by prefix id; [0] is the unrouted id
  std::span<const std::uint8_t> lens;       ///< by prefix id
  std::span<const std::uint32_t> v4_addrs;  ///< by id - 1
  std::span<const V6> v6_addrs;             ///< by id - 1 - v4_addrs.size()
  lpm::V4Index::Parts v4;
  lpm::V6Ranges::Parts v6;
};

}  // namespace asncounter
