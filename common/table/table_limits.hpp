#pragma once
// Bounds on reading a table, against decompression bombs: the decompressed
// bytes (time) and the distinct prefixes (memory). The defaults leave room
// for a full RouteViews dump (docs/operations.md "Limits" for the sizes).

#include <cstdint>

namespace asncounter {

/// Default cap on decompressed bytes, in MiB: a full RouteViews RIB (about
/// 1.7 KB per prefix with ~50 peers, 1.3M prefixes) is near 2.2 GiB.
inline constexpr unsigned kDefaultTableMaxMib = 8192;
/// Default cap on distinct prefixes: the Internet has about 1.3M today.
inline constexpr unsigned kDefaultTableMaxPrefixes = 4'000'000;
/// Default minimum prefix count of a first downloaded dump: a RouteViews
/// RIB holds about 1M IPv4 or 230k IPv6 prefixes.
inline constexpr unsigned kDefaultRibMinPrefixes = 100'000;

struct TableLimits {
  /// Decompressed bytes read at most; beyond, the table is refused.
  std::uint64_t max_bytes = std::uint64_t{kDefaultTableMaxMib} << 20;
  /// Distinct prefixes at most; beyond, the table is refused.
  std::uint64_t max_prefixes = kDefaultTableMaxPrefixes;
};

}  // namespace asncounter
