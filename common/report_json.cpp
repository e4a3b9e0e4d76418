// JSON shape of the report tables (`top --json`, `prefixes --json`):
// {"total": N, "total_bytes": N, "has_bytes": b, "has_latency": b,
//  "rows": [{"asn": N|null, "name": "..."|null, "count": N, "bytes": N,
//            "percent": 12.34[, "prefix": "..."|null][, "latency_ms": x|null]}]}
#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "common/json_text.hpp"
#include "common/report.hpp"

namespace asncounter {

namespace {

using nlohmann::json;

double rounded_percent(std::uint64_t part, std::uint64_t total) {
  if (total == 0) return 0.0;
  return std::round(static_cast<double>(part) * 10000.0 / static_cast<double>(total)) / 100.0;
}

template <class T>
std::optional<T> opt(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  return it->get<T>();
}

/// A non-negative integer no larger than `max` (get<> alone would wrap -1).
std::uint64_t uint_at(const json& j, const char* key, std::uint64_t max = UINT64_MAX) {
  const json& v = j.at(key);
  if (!v.is_number_unsigned() || v.get<std::uint64_t>() > max)
    throw std::invalid_argument(std::string("'") + key + "' is not an unsigned integer in range");
  return v.get<std::uint64_t>();
}

ReportRow row_from(const json& j, bool prefixes) {
  ReportRow r;
  if (!j.is_object()) throw std::invalid_argument("a row is not an object");
  if (j.contains("asn") && !j["asn"].is_null())
    r.asn = static_cast<std::uint32_t>(uint_at(j, "asn", UINT32_MAX));
  r.name = opt<std::string>(j, "name");
  r.count = uint_at(j, "count");
  r.bytes = j.contains("bytes") ? uint_at(j, "bytes") : 0;
  r.latency_ms = opt<double>(j, "latency_ms");
  if (prefixes) {
    if (auto text = opt<std::string>(j, "prefix")) {
      r.prefix = parse_prefix(*text);
      if (!r.prefix) throw std::invalid_argument("bad prefix '" + *text + "'");
    }
  }
  return r;
}

}  // namespace

void append_json_row(std::string& out, const ReportTable& t, const ReportRow& r) {
  json row = {{"asn", r.asn ? json(*r.asn) : json(nullptr)},
              {"name", r.name ? json(*r.name) : json(nullptr)}};
  if (t.prefixes) row["prefix"] = r.prefix ? json(to_string(*r.prefix)) : json(nullptr);
  row["count"] = r.count;
  row["bytes"] = r.bytes;
  row["percent"] = rounded_percent(r.count, t.total);
  if (t.has_latency) row["latency_ms"] = r.latency_ms ? json(*r.latency_ms) : json(nullptr);
  out += compact_json(row);
}

JsonAround to_json_around_rows(const ReportTable& t) {
  json members = {{"total", t.total},
                  {"total_bytes", t.total_bytes},
                  {"has_bytes", t.has_bytes},
                  {"has_latency", t.has_latency}};
  return json_around_array(members, "rows");
}

std::string to_json(const ReportTable& t) {
  auto [out, tail] = to_json_around_rows(t);
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    if (i) out += ',';
    append_json_row(out, t, t.rows[i]);
  }
  return out + tail;
}

Result<ReportTable> report_from_json(std::string_view json_text, bool prefixes) {
  // The answer comes over a socket: any shape error is an Error, never a throw.
  try {
    json j = json::parse(json_text);
    ReportTable t;
    t.prefixes = prefixes;
    if (!j.is_object() || !j.contains("rows") || !j["rows"].is_array())
      return Error{"malformed report JSON: expected an object with a \"rows\" array"};
    t.total = uint_at(j, "total");
    t.total_bytes = j.contains("total_bytes") ? uint_at(j, "total_bytes") : 0;
    t.has_bytes = j.value("has_bytes", false);
    t.has_latency = j.value("has_latency", false);
    for (const json& row : j.at("rows")) t.rows.push_back(row_from(row, prefixes));
    return t;
  } catch (const std::exception& e) {
    return Error{std::string("malformed report JSON: ") + e.what()};
  }
}

}  // namespace asncounter
