#pragma once
// The RouteViews archive layout: BASE/YYYY.MM/RIBS/rib.YYYYMMDD.HHMM.bz2,
// each month folder an HTML directory listing. Pure functions, no I/O.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace asncounter {

/// A RIB file named in a listing.
struct RibFile {
  std::string name;     ///< rib.YYYYMMDD.HHMM.bz2
  std::int64_t time{};  ///< its dump time, Unix seconds (UTC)
};

/// The RIB files a listing page links to, oldest first, without duplicates.
/// Anything that does not look like rib.YYYYMMDD.HHMM.bz2 is ignored.
std::vector<RibFile> parse_rib_listing(std::string_view html);

/// The time a rib.YYYYMMDD.HHMM.bz2 name stands for.
std::optional<std::int64_t> rib_time(std::string_view name);

/// BASE/YYYY.MM/RIBS/ for the month holding `unix_time` (UTC), and for
/// `months_back` months before it.
std::string rib_month_url(std::string_view base, std::int64_t unix_time, int months_back = 0);

}  // namespace asncounter
