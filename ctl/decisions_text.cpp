#include "ctl/decisions_text.hpp"

#include <nlohmann/json.hpp>
#include <sstream>

#include "common/json_text.hpp"

namespace asncounter::ctl {
namespace {

using nlohmann::json;

std::string joined(const json& list) {
  std::string out;
  if (!list.is_array()) return "-";
  for (const json& v : list) out.append(out.empty() ? "" : ",").append(json_cell(v, ""));
  return out.empty() ? "-" : out;
}

// "1234 hits", "31.25% share"; a manual ban has no measure.
std::string value_of(const json& d) {
  const std::string measure = d.value("measure", "");
  if (measure.empty()) return "-";
  const auto v = d.value("value", std::uint64_t{0});
  if (measure == "share") {
    std::ostringstream o;
    o << v / 100 << "." << (v / 10) % 10 << v % 10 << "% share";
    return o.str();
  }
  return std::to_string(v) + " " + measure;
}

// What a line says about one decision, tab separated.
void line(std::ostringstream& o, const json& d, bool active) {
  o << d.value("id", 0) << '\t' << json_cell(d.value("target", json()), "") << '\t';
  if (active)
    o << (d.value("dry_run", false) ? "would ban" : "banned");
  else
    o << json_cell(d.value("state", json()), "");
  o << '\t' << json_cell(d.value("rule", json()), "") << '\t' << value_of(d) << '\t'
    << joined(d.value("prefixes", json()));
  if (active) {
    o << '\t' << d.value("remaining", std::int64_t{0}) << "s left\t"
      << d.value("packets_dropped", std::uint64_t{0}) << " packets\t"
      << d.value("bytes_dropped", std::uint64_t{0}) << " bytes";
  }
  const std::string refusal = d.value("refusal", "");
  const std::string reason = d.value("reason", "");
  if (!refusal.empty()) o << "\trefused: " << json_cell(json(refusal), "");
  if (!reason.empty()) o << "\treason: " << json_cell(json(reason), "");
  o << "\tinputs: " << joined(d.value("inputs", json()));
  o << "\n";
}

}  // namespace

std::string decisions_text(const std::string& result) {
  json doc = json::parse(result, nullptr, false);
  if (!doc.is_object()) return result + "\n";
  std::ostringstream o;
  o << "mode: " << json_cell(doc.value("mode", json()), "") << " (table inet "
    << json_cell(doc.value("table", json()), "") << ", " << doc.value("packets_dropped", std::uint64_t{0})
    << " packets dropped)\n";
  o << "active:\n";
  for (const json& d : doc.value("active", json::array())) line(o, d, true);
  o << "recent:\n";
  for (const json& d : doc.value("recent", json::array())) line(o, d, false);
  return o.str();
}

std::string decision_text(const std::string& result) {
  json d = json::parse(result, nullptr, false);
  if (!d.is_object()) return result + "\n";
  std::ostringstream o;
  line(o, d, d.value("state", "") == "active");
  return o.str();
}

}  // namespace asncounter::ctl
