#include "common/dump_stamp.hpp"

#include <chrono>
#include <ctime>

#include "common/parse_number.hpp"

namespace asncounter {

bool looks_like_dump_stamp(std::string_view s) noexcept {
  if (s.size() != kDumpStampSize || s[8] != '.') return false;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (i != 8 && (s[i] < '0' || s[i] > '9')) return false;
  return true;
}

std::optional<std::int64_t> dump_stamp_time(std::string_view s) noexcept {
  if (!looks_like_dump_stamp(s)) return std::nullopt;
  // Digits only by now, so every parse succeeds.
  auto num = [&](std::size_t at, std::size_t n) { return *parse_unsigned<unsigned>(s.substr(at, n)); };
  const std::chrono::year_month_day day{std::chrono::year{static_cast<int>(num(0, 4))},
                                        std::chrono::month{num(4, 2)}, std::chrono::day{num(6, 2)}};
  const unsigned hour = num(9, 2), minute = num(11, 2);
  if (!day.ok() || hour > 23 || minute > 59) return std::nullopt;
  const std::int64_t days = std::chrono::sys_days(day).time_since_epoch().count();
  return days * 86400 + std::int64_t{hour} * 3600 + std::int64_t{minute} * 60;
}

std::string utc_text(std::int64_t unix_seconds, const char* format) {
  auto t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

}  // namespace asncounter
