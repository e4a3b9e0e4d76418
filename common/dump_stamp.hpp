#pragma once
// The date and time that dump file names carry ("rib.20140513.0600.bz2" from
// RouteViews, and the same stamp in pyasn's "; Original file : ..." line):
// one parser, which rejects dates the calendar does not have (Feb 30).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace asncounter {

/// Characters in a stamp: YYYYMMDD.HHMM.
inline constexpr std::size_t kDumpStampSize = 13;

/// True when `s` is shaped like a stamp: 8 digits, '.', 4 digits.
bool looks_like_dump_stamp(std::string_view s) noexcept;

/// Unix seconds (UTC) of the stamp `s`; nullopt unless `s` is shaped like
/// one and names a real day and a time from 00:00 to 23:59.
std::optional<std::int64_t> dump_stamp_time(std::string_view s) noexcept;

/// Unix seconds as UTC text in strftime's `format` (at most 31 characters).
std::string utc_text(std::int64_t unix_seconds, const char* format);

}  // namespace asncounter
