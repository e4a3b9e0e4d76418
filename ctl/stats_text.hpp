#pragma once
// `asncounterctl stats` for people: times as dates with their ages, the
// answer's fields grouped in sections. `--json` prints the raw answer.

#include <cstdint>
#include <iosfwd>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

namespace asncounter::ctl {

/// The `stats` answer (its JSON text) as sections of lines; ages are taken
/// against `now` (Unix seconds). Fields it does not know are shown as
/// "key: value" lines at the end, so a newer daemon's are not lost.
std::string stats_text(const std::string& result, std::int64_t now);

/// "2026-11-30 06:00" (UTC) for Unix seconds; `format` is strftime's.
std::string date_text(std::int64_t unix_seconds, const char* format = "%Y-%m-%d %H:%M");

/// `v` as "key: value" lines after `indent`, nested keys joined by dots
/// (arrays as key[i]); `leaf` prints a value that is neither.
void flatten(std::ostream& out, const std::string& key, const nlohmann::json& v, std::string_view indent,
             std::string (*leaf)(const nlohmann::json&));

/// A coarse age: "42 s", "5 min", "3 h", "2 d".
std::string age_text(std::int64_t seconds);

}  // namespace asncounter::ctl
