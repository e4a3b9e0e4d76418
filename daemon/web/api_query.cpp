#include "daemon/web/api_query.hpp"

#include <optional>

#include "common/parse_duration.hpp"
#include "common/parse_number.hpp"
#include "common/text_escape.hpp"

namespace asncounter::web {

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Keys are echoed in errors: a hostile one is cut and its controls escaped.
std::string shown(std::string_view key) { return escaped(key.substr(0, 64)); }

std::optional<std::uint64_t> number_of(const rpc::ParamSpec& spec, std::string_view value) {
  auto n = spec.id == rpc::ParamId::window
               ? parse_duration_seconds(value)
               : (value.size() <= 20 ? parse_unsigned<std::uint64_t>(value) : std::nullopt);
  if (!n || *n < spec.min || *n > spec.max) return std::nullopt;
  return n;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int hi = hex_digit(text[i + 1]), lo = hex_digit(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::variant<rpc::Params, QueryError> parse_api_query(const rpc::Method& method, std::string_view query) {
  rpc::Params params;
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query.remove_prefix(amp == std::string_view::npos ? query.size() : amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    auto key = percent_decode(pair.substr(0, eq));
    auto value = percent_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!key) return QueryError{shown(pair.substr(0, eq)), "broken percent escape in a parameter name"};
    if (!value) return QueryError{shown(*key), "broken percent escape in the value"};
    const rpc::ParamSpec* spec = rpc::find_param(*key);
    if (!spec || !(method.params & rpc::param_bit(spec->id)))
      return QueryError{shown(*key), "unknown parameter for " + std::string(method.name)};
    if (params.has(spec->id)) return QueryError{shown(*key), "parameter given twice"};
    if (spec->type != rpc::ParamType::unsigned_integer)
      return QueryError{shown(*key), "parameter not available over HTTP"};
    auto n = number_of(*spec, *value);
    if (!n)
      return QueryError{std::string(spec->key),
                        std::string(spec->key) + " must be " + std::string(spec->help) + " from " +
                            std::to_string(spec->min) + " to " + std::to_string(spec->max)};
    params.set(spec->id, *n);
  }
  for (const auto& spec : rpc::params()) {
    if ((method.required & rpc::param_bit(spec.id)) && !params.has(spec.id))
      return QueryError{std::string(spec.key), "missing required parameter"};
  }
  return params;
}

}  // namespace asncounter::web
