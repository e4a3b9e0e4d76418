#include "daemon/input/input_name.hpp"

#include <set>

namespace asncounter {

bool valid_input_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

NamedSpec split_input_name(const std::string& text) {
  const auto colon = text.find(':');
  const auto eq = text.find('=');
  if (colon != std::string::npos && eq != std::string::npos && eq < colon) {
    std::string name = text.substr(0, eq);
    if (valid_input_name(name)) return {std::move(name), text.substr(eq + 1)};
  }
  return {text, text};
}

std::string check_input_names(const std::vector<std::string>& names) {
  std::set<std::string_view> seen;
  for (const std::string& n : names)
    if (!seen.insert(n).second)
      return "two inputs are named '" + n + "': name them apart (--input NAME=SPEC)";
  return "";
}

}  // namespace asncounter
