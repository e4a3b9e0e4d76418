#include "common/rpc.hpp"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

#include "common/ip.hpp"
#include "common/json_text.hpp"

namespace asncounter::rpc {
namespace {

using nlohmann::json;

std::string short_text(std::string_view s) {
  constexpr std::size_t kMax = 64;
  return std::string(s.substr(0, kMax)) + (s.size() > kMax ? "..." : "");
}

// The "id" may be a string, a number or null (JSON-RPC 2.0, section 4).
bool valid_id(const json& id) { return id.is_string() || id.is_number() || id.is_null(); }

std::optional<std::uint64_t> to_unsigned(const json& v) {
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_number_integer() && v.get<std::int64_t>() >= 0)
    return static_cast<std::uint64_t>(v.get<std::int64_t>());
  return std::nullopt;
}

// Why a value is outside `spec`'s range, in the daemon's words.
std::string range_error(const ParamSpec& spec) {
  const std::string key = "\"" + std::string(spec.key) + "\"";
  if (spec.type == ParamType::addresses) return key + " must be a non-empty array of addresses";
  if (spec.type == ParamType::word) return key + " must be one of " + std::string(spec.metavar);
  if (spec.type == ParamType::text)
    return key + " must be a string of " + std::to_string(spec.min) + ".." + std::to_string(spec.max) +
           " bytes";
  if (spec.min == 0 && spec.max == UINT64_MAX) return key + " must be a non-negative integer";
  return key + " must be an integer in " + std::to_string(spec.min) + ".." + std::to_string(spec.max);
}

std::optional<std::string> read_addresses(const ParamSpec& spec, const json& v, Params& out) {
  if (!v.is_array() || v.size() < spec.min) return range_error(spec);
  if (v.size() > spec.max) {
    return "\"" + std::string(spec.key) + "\" holds more than " + std::to_string(spec.max) + " addresses";
  }
  std::vector<std::string> list;
  for (const auto& ip : v) {
    if (!ip.is_string()) return range_error(spec);
    // A text that is no address is answered with an error row of its own
    // (common/lookup_answer.hpp): one typo does not fail the whole request.
    list.push_back(ip.get<std::string>());
  }
  out.set(spec.id, std::move(list));
  return std::nullopt;
}

std::optional<std::string> read_param(const Method& m, const std::string& key, const json& v, Params& out) {
  const ParamSpec* spec = find_param(key);
  if (!spec || !(m.params & param_bit(spec->id)))
    return "unknown parameter '" + short_text(key) + "' for method " + std::string(m.name);
  switch (spec->type) {
    case ParamType::unsigned_integer: {
      auto n = to_unsigned(v);
      if (!n || *n < spec->min || *n > spec->max) return range_error(*spec);
      out.set(spec->id, *n);
      return std::nullopt;
    }
    case ParamType::addresses:
      return read_addresses(*spec, v, out);
    case ParamType::word:
      if (!v.is_string() || !is_choice(*spec, v.get<std::string>())) return range_error(*spec);
      out.set_text(spec->id, v.get<std::string>());
      return std::nullopt;
    case ParamType::text:
      if (!v.is_string() || v.get<std::string>().size() < spec->min ||
          v.get<std::string>().size() > spec->max)
        return range_error(*spec);
      out.set_text(spec->id, v.get<std::string>());
      return std::nullopt;
  }
  return range_error(*spec);
}

std::variant<Request, RequestError> parse_params(Request req, const json& params) {
  const Method& m = *req.method;
  auto fail = [&](std::string why) {
    return RequestError{ErrorCode::invalid_params, std::move(why), req.id_json};
  };
  if (params.is_array() && params.empty()) return req;  // "params": [] means none
  if (!params.is_null() && !params.is_object()) return fail("params must be an object");
  if (params.is_object()) {
    for (const auto& [key, value] : params.items()) {
      if (auto why = read_param(m, key, value, req.params)) return fail(*why);
    }
  }
  if ((req.params.given() & m.required) != m.required) {
    return fail("method " + std::string(m.name) + " needs params " + params_help(m));
  }
  return req;
}

std::variant<Request, RequestError> parse_checked(std::string_view line) {
  if (line.size() > kMaxRequestBytes)
    return RequestError{ErrorCode::request_too_large, "request over 64 KiB"};
  json doc = json::parse(line.begin(), line.end(), nullptr, false);
  if (doc.is_discarded()) return RequestError{ErrorCode::parse_error, "the request is not valid JSON"};
  if (doc.is_array()) return RequestError{ErrorCode::invalid_request, "batch requests are not supported"};
  if (!doc.is_object()) return RequestError{ErrorCode::invalid_request, "the request must be a JSON object"};
  Request req;
  if (auto id = doc.find("id"); id != doc.end()) {
    if (!valid_id(*id))
      return RequestError{ErrorCode::invalid_request, "\"id\" must be a string, a number or null"};
    req.id_json = compact_json(*id);
  }
  auto invalid = [&](std::string why) {
    return RequestError{ErrorCode::invalid_request, std::move(why), req.id_json};
  };
  auto version = doc.find("jsonrpc");
  if (version == doc.end() || !version->is_string() || *version != "2.0")
    return invalid("\"jsonrpc\" must be \"2.0\"");
  auto method = doc.find("method");
  if (method == doc.end() || !method->is_string()) return invalid("\"method\" must be a string");
  req.method = find_method(method->get_ref<const std::string&>());
  if (!req.method) {
    return RequestError{ErrorCode::method_not_found,
                        "unknown method '" + short_text(method->get_ref<const std::string&>()) + "'",
                        req.id_json};
  }
  auto params = doc.find("params");
  return parse_params(std::move(req), params == doc.end() ? json() : *params);
}

}  // namespace

std::string_view error_text(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::parse_error:
      return "Parse error";
    case ErrorCode::invalid_request:
      return "Invalid Request";
    case ErrorCode::method_not_found:
      return "Method not found";
    case ErrorCode::invalid_params:
      return "Invalid params";
    case ErrorCode::internal_error:
      return "Internal error";
    case ErrorCode::permission_denied:
      return "Permission denied";
    case ErrorCode::request_too_large:
      return "Request too large";
    case ErrorCode::unavailable:
      return "Unavailable";
    case ErrorCode::reload_failed:
      return "Reload failed";
  }
  return "Error";
}

std::span<const Method> methods() noexcept { return kMethods; }

const Method& method(MethodId id) noexcept { return kMethods[static_cast<std::size_t>(id)]; }

const Method* find_method(std::string_view name) noexcept {
  auto it = std::find_if(kMethods.begin(), kMethods.end(), [&](const Method& m) { return m.name == name; });
  return it == kMethods.end() ? nullptr : &*it;
}

const Method* find_command(std::string_view command) noexcept {
  auto it =
      std::find_if(kMethods.begin(), kMethods.end(), [&](const Method& m) { return m.command == command; });
  return it == kMethods.end() ? nullptr : &*it;
}

std::span<const ParamSpec> params() noexcept { return kParams; }

const ParamSpec& param(ParamId id) noexcept { return kParams[static_cast<std::size_t>(id)]; }

const ParamSpec* find_param(std::string_view key) noexcept {
  auto it = std::find_if(kParams.begin(), kParams.end(), [&](const ParamSpec& p) { return p.key == key; });
  return it == kParams.end() ? nullptr : &*it;
}

std::string params_help(const Method& m) {
  std::string out;
  for (const auto& p : kParams) {
    if (!(m.params & param_bit(p.id))) continue;
    out.append(out.empty() ? "{" : ", ").append("\"").append(p.key).append("\": ");
    if (p.type == ParamType::addresses) {
      out.append("[\"").append(p.metavar).append("\", ...]");
    } else if (p.type == ParamType::word || p.type == ParamType::text) {
      out.append("\"").append(p.metavar).append("\"");
    } else {
      out.append(p.metavar);
    }
  }
  return out.empty() ? out : out + "}";
}

std::string command_usage(const Method& m) {
  std::string flags;
  std::string positional;
  for (const auto& p : kParams) {
    if (!(m.params & param_bit(p.id))) continue;
    std::string& out = (m.required & param_bit(p.id)) ? positional : flags;
    if (!out.empty()) out += " ";
    if (m.required & param_bit(p.id)) {
      out.append(p.metavar).append(p.type == ParamType::addresses ? "..." : "");
    } else {
      out.append("[--").append(p.key).append(" ").append(p.metavar).append("]");
    }
  }
  return flags.empty() || positional.empty() ? flags + positional : flags + " " + positional;
}

bool is_choice(const ParamSpec& spec, std::string_view value) noexcept {
  if (spec.type != ParamType::word || value.empty()) return false;
  for (std::string_view rest = spec.metavar;;) {
    auto bar = rest.find('|');
    if (rest.substr(0, bar) == value) return true;
    if (bar == std::string_view::npos) return false;
    rest.remove_prefix(bar + 1);
  }
}

unsigned Params::given() const noexcept {
  unsigned bits = 0;
  for (const auto& p : kParams) bits |= has(p.id) ? param_bit(p.id) : 0U;
  return bits;
}

std::variant<Request, RequestError> parse_request(std::string_view line) noexcept {
  try {
    return parse_checked(line);
  } catch (const std::exception& e) {
    // Only allocation failures can land here; the parser itself does not throw.
    return RequestError{ErrorCode::internal_error, e.what()};
  }
}

std::string make_request(std::uint64_t id, MethodId method, const Params& params) {
  json req = {{"jsonrpc", "2.0"}, {"id", id}, {"method", rpc::method(method).name}};
  json p = json::object();
  for (const auto& spec : kParams) {
    const std::string key(spec.key);
    if (auto n = params.number(spec.id)) p[key] = *n;
    if (auto list = params.list(spec.id); !list.empty())
      p[key] = std::vector<std::string>(list.begin(), list.end());
    if (auto t = params.text(spec.id)) p[key] = *t;
  }
  if (!p.empty()) req["params"] = std::move(p);
  return compact_json(req) + "\n";
}

std::string result_head(std::string_view id_json) {
  std::string out = R"({"jsonrpc":"2.0","id":)";
  out.append(id_json).append(R"(,"result":)");
  return out;
}

std::string make_result(std::string_view id_json, std::string_view result_json) {
  std::string out;
  out.reserve(result_json.size() + id_json.size() + 40);
  out.append(result_head(id_json)).append(result_json).append(kResultTail);
  return out;
}

std::string make_error(std::string_view id_json, ErrorCode code, std::string_view message) {
  json err = {{"code", static_cast<int>(code)}, {"message", message}};
  std::string out = R"({"jsonrpc":"2.0","id":)";
  out.append(id_json).append(R"(,"error":)").append(compact_json(err)).append("}\n");
  return out;
}

std::optional<Response> parse_response(std::string_view line) noexcept {
  try {
    json doc = json::parse(line.begin(), line.end(), nullptr, false);
    if (!doc.is_object() || doc.value("jsonrpc", json()) != "2.0" || !doc.contains("id")) return std::nullopt;
    Response r;
    r.id_json = compact_json(doc["id"]);
    if (auto res = doc.find("result"); res != doc.end()) {
      r.result_json = compact_json(*res);
      return r;
    }
    auto err = doc.find("error");
    if (err == doc.end() || !err->is_object()) return std::nullopt;
    auto code = err->find("code");
    auto message = err->find("message");
    if (code == err->end() || !code->is_number_integer()) return std::nullopt;
    r.error_code = code->get<int>();
    if (message != err->end() && message->is_string()) r.error_message = message->get<std::string>();
    return r;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string methods_markdown() {
  std::string out = "| method | access | params | asncounterctl | what it answers |\n|---|---|---|---|---|\n";
  for (const auto& m : kMethods) {
    out.append("| `").append(m.name).append("` | ").append(m.access == Access::admin ? "admin" : "read");
    // A '|' inside a cell ("hits|bytes") would end it, even in code.
    auto cell = [](std::string text) {
      for (std::size_t at = 0; (at = text.find('|', at)) != std::string::npos; at += 2) text.insert(at, "\\");
      return text;
    };
    auto help = cell(params_help(m));
    auto usage = cell(command_usage(m));
    out.append(" | ").append(help.empty() ? "none" : "`" + help + "`");
    out.append(" | `").append(m.command);
    if (!usage.empty()) out.append(" ").append(usage);
    out.append("` | ").append(m.help).append(" |\n");
  }
  return out;
}

}  // namespace asncounter::rpc
