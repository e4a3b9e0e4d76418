#pragma once
// What the registries share. A registry is a constexpr array of plain rows
// (an id or name, a check, function pointers bound at compile time) in the
// file that binds them: line formats (daemon/input/lines/line_format.cpp), table
// formats (common/table/table_file.cpp), and the flow decoders to come.
// Help text and errors list a registry's rows instead of repeating them.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace asncounter::registry {

/// Words as prose: "a, b or c" (`last` joins the final pair: " or ", " and ").
inline std::string join(const std::vector<std::string>& words, std::string_view last = " or ") {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += i + 1 == words.size() ? last : std::string_view(", ");
    out += words[i];
  }
  return out;
}

/// `label(row)` of each row that passes `keep`, as prose.
template <class Rows, class Label, class Keep>
std::string join_rows(const Rows& rows, Label label, Keep keep, std::string_view last = " or ") {
  std::vector<std::string> words;
  for (const auto& row : rows)
    if (keep(row)) words.emplace_back(label(row));
  return join(words, last);
}

}  // namespace asncounter::registry
