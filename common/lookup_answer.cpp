#include "common/lookup_answer.hpp"

#include <nlohmann/json.hpp>

#include "common/ip.hpp"
#include "common/json_text.hpp"
#include "common/table/as_names.hpp"
#include "common/table/lpm_table.hpp"

namespace asncounter {

std::string lookup_answer_json(const LpmTable& table, const AsNames* names,
                               std::span<const std::string> texts) {
  using nlohmann::json;
  json rows = json::array();
  for (const auto& text : texts) {
    json row = {{"ip", text}, {"asn", nullptr}, {"prefix", nullptr}, {"name", nullptr}};
    auto addr = parse_address(text);
    if (!addr) {
      row["error"] = kNotAnAddress;
    } else if (auto match = table.lookup(*addr)) {
      row["asn"] = match->asn;
      row["prefix"] = to_string(match->prefix);
      auto name = names ? names->name(match->asn) : std::nullopt;
      if (name) row["name"] = std::string(*name);
    }
    rows.push_back(std::move(row));
  }
  // Texts and names come from outside: invalid UTF-8 is replaced, never thrown on.
  return compact_json(json{{"results", std::move(rows)}});
}

}  // namespace asncounter
