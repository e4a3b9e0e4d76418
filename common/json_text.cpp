#include "common/json_text.hpp"

#include <nlohmann/json.hpp>

#include "common/text_escape.hpp"
namespace asncounter {

std::string compact_json(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string json_cell(const nlohmann::json& value, std::string_view null_text) {
  if (value.is_null()) return std::string(null_text);
  return value.is_string() ? escaped(value.get<std::string>()) : compact_json(value);
}

// The top level is printed member by member rather than searched for the
// key's text: the same key may sit in a nested object or in a string.
JsonAround json_around_array(const nlohmann::json& object, std::string_view key) {
  JsonAround out;
  std::string* side = &out.head;
  bool first = true;
  bool opened = false;
  auto member = [&](std::string_view k) {
    *side += first ? '{' : ',';
    first = false;
    *side += compact_json(nlohmann::json(k));
    *side += ':';
  };
  auto open_array = [&] {
    member(key);
    *side += '[';
    side = &out.tail;
    *side += ']';
    opened = true;
  };
  for (const auto& [k, v] : object.items()) {
    if (k == key) continue;
    if (!opened && k > key) open_array();  // members print in key order
    member(k);
    *side += compact_json(v);
  }
  if (!opened) open_array();
  *side += '}';
  return out;
}

}  // namespace asncounter
