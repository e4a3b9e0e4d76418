#include "daemon/refresh/archive_index.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "common/dump_stamp.hpp"

namespace asncounter {

std::optional<std::int64_t> rib_time(std::string_view name) {
  // rib.YYYYMMDD.HHMM.bz2
  constexpr std::string_view prefix = "rib.", suffix = ".bz2";
  if (name.size() != prefix.size() + kDumpStampSize + suffix.size()) return std::nullopt;
  if (!name.starts_with(prefix) || !name.ends_with(suffix)) return std::nullopt;
  return dump_stamp_time(name.substr(prefix.size(), kDumpStampSize));
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
