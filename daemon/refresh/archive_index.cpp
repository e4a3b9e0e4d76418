#include "daemon/refresh/archive_index.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace asncounter {
namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int number(std::string_view s) {
  int n = 0;
  for (char c : s) n = n * 10 + (c - '0');
  return n;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
// algorithm), so no time zone or locale can change the answer.
std::int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return std::int64_t{era} * 146097 + doe - 719468;
}

}  // namespace

std::optional<std::int64_t> rib_time(std::string_view name) {
  // rib.YYYYMMDD.HHMM.bz2
  constexpr std::string_view prefix = "rib.", suffix = ".bz2";
  if (name.size() != prefix.size() + 8 + 1 + 4 + suffix.size()) return std::nullopt;
  if (!name.starts_with(prefix) || !name.ends_with(suffix)) return std::nullopt;
  std::string_view date = name.substr(4, 8), hm = name.substr(13, 4);
  if (name[12] != '.' || !all_digits(date) || !all_digits(hm)) return std::nullopt;
  int y = number(date.substr(0, 4)), mo = number(date.substr(4, 2)), d = number(date.substr(6, 2));
  int h = number(hm.substr(0, 2)), mi = number(hm.substr(2, 2));
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59) return std::nullopt;
  return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60;
}

std::vector<RibFile> parse_rib_listing(std::string_view html) {
  std::vector<RibFile> files;
  constexpr std::string_view needle = "rib.";
  constexpr std::size_t name_len = 21;  // rib.YYYYMMDD.HHMM.bz2
  for (std::size_t pos = html.find(needle); pos != std::string_view::npos; pos = html.find(needle, pos + 1)) {
    if (pos + name_len > html.size()) break;
    // A name must stand alone: not the tail of a longer word such as "xrib.".
    if (pos > 0) {
      char before = html[pos - 1];
      if ((before >= 'a' && before <= 'z') || (before >= 'A' && before <= 'Z') || before == '.') continue;
    }
    std::string_view name = html.substr(pos, name_len);
    if (auto t = rib_time(name)) files.push_back({std::string(name), *t});
  }
  std::sort(files.begin(), files.end(), [](const RibFile& a, const RibFile& b) { return a.time < b.time; });
  files.erase(std::unique(files.begin(), files.end(),
                          [](const RibFile& a, const RibFile& b) { return a.name == b.name; }),
              files.end());
  return files;
}

std::string rib_month_url(std::string_view base, std::int64_t unix_time, int months_back) {
  std::time_t t = static_cast<std::time_t>(unix_time);
  std::tm tm{};
  gmtime_r(&t, &tm);
  int months = (tm.tm_year + 1900) * 12 + tm.tm_mon - months_back;
  char folder[16];
  std::snprintf(folder, sizeof folder, "%04d.%02d", months / 12, months % 12 + 1);
  std::string url(base);
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url + "/" + folder + "/RIBS/";
}

}  // namespace asncounter
