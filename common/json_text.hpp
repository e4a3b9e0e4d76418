#pragma once
// How JSON is printed wherever it goes out (answers, requests, --json): one
// compact line, invalid UTF-8 replaced rather than thrown on (names and
// texts come from outside). And an object's text cut inside one of its
// arrays, so that a long array can be written element by element between
// the two halves: the control socket writes long answers as they are made
// (DESIGN.md, "Hostile input").

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

namespace asncounter {

/// The two halves: `head` ends in '[' and `tail` begins with ']'.
struct JsonAround {
  std::string head;
  std::string tail;
};

/// `object` printed compactly as nlohmann::json::dump() prints it (members in
/// key order, invalid UTF-8 replaced), with member `key` an array cut open:
/// head + the elements joined by ',' + tail is the object with them in it.
JsonAround json_around_array(const nlohmann::json& object, std::string_view key);

/// dump() as every answer prints: compact, invalid UTF-8 replaced, not thrown.
std::string compact_json(const nlohmann::json& value);

/// A value as one cell of a printed table: a string with its control
/// characters escaped (it may come from outside), null as `null_text`,
/// anything else as compact_json().
std::string json_cell(const nlohmann::json& value, std::string_view null_text);

}  // namespace asncounter
