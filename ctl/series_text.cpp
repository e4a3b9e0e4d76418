#include "ctl/series_text.hpp"

#include <nlohmann/json.hpp>

#include "common/text_escape.hpp"
#include "ctl/stats_text.hpp"

namespace asncounter::ctl {

namespace {

using nlohmann::json;

// "total", "AS64496", "None" (unrouted) or "other".
std::string label(const json& line) {
  std::string kind = line.value("series", std::string());
  if (kind != "asn") return kind;
  const json& asn = line.value("asn", json());
  return asn.is_number_unsigned() ? "AS" + std::to_string(asn.get<std::uint64_t>()) : "None";
}

}  // namespace

std::optional<std::string> series_text(const std::string& result) {
  json doc = json::parse(result, nullptr, false);
  if (!doc.is_object() || !doc.value("steps", json()).is_array() || !doc.value("lines", json()).is_array())
    return std::nullopt;
  const json& steps = doc["steps"];
  const json& lines = doc["lines"];
  std::string out = "time (UTC)";
  for (const auto& line : lines) {
    if (!line.is_object() || !line.value("hits", json()).is_array() ||
        !line.value("bytes", json()).is_array() || line["hits"].size() != steps.size() ||
        line["bytes"].size() != steps.size())
      return std::nullopt;
    out += "\t" + label(line) + " hits\t" + label(line) + " bytes";
  }
  out += "\n";
  for (std::size_t i = 0; i < steps.size(); ++i) {
    out += date_text(static_cast<std::int64_t>(steps[i].value("to", 0.0)), "%Y-%m-%d %H:%M:%S");
    for (const auto& line : lines) out += "\t" + line["hits"][i].dump() + "\t" + line["bytes"][i].dump();
    out += "\n";
  }
  // Names come from outside: escaped, on their own lines after the columns.
  for (const auto& line : lines)
    if (line.value("name", json()).is_string())
      out += label(line) + ": " + escaped(line["name"].get<std::string>()) + "\n";
  return out;
}

}  // namespace asncounter::ctl
