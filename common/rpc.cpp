#include "common/rpc.hpp"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

#include "common/ip.hpp"

namespace asncounter::rpc {
namespace {

using nlohmann::json;

// Append-only (see the compatibility rule in rpc.hpp).
constexpr std::array<Method, 10> kMethods{{
    {"top", Access::read, kParamLimit, 0, R"({"limit": N})", "top", "[--limit N]",
     "top ASNs: count, percent, ASN, AS name (and bytes)"},
    {"prefixes", Access::read, kParamLimit | kParamAsn, 0, R"({"limit": N, "asn": ASN})", "prefixes",
     "[--limit N] [--asn ASN]", "top prefixes (limit 0: all of them), optionally of one ASN"},
    {"report", Access::read, kParamLimit, 0, R"({"limit": N})", "report", "[--limit N]",
     "both tables, as the one-shot report"},
    {"as_prefixes", Access::read, kParamAsn, kParamAsn, R"({"asn": ASN})", "as-prefixes", "ASN",
     "prefixes of ASN in the current table"},
    {"lookup", Access::read, kParamIps, kParamIps, R"({"ips": ["IP", ...]})", "lookup", "IP...",
     "address, ASN, prefix and AS name in the current table"},
    {"stats", Access::read, 0, 0, "", "stats", "",
     "uptime, table (source, dump time, prefix counts), inputs with their counters, totals"},
    {"version", Access::read, 0, 0, "", "version", "", "daemon version and protocol version"},
    {"reset", Access::admin, 0, 0, "", "reset", "", "zero all counts"},
    {"refresh", Access::admin, 0, 0, "", "refresh", "", "fetch and load a new table now"},
    {"reload", Access::admin, 0, 0, "", "reload", "", "re-read the configuration (as SIGHUP)"},
}};

std::string short_text(std::string_view s) {
  constexpr std::size_t kMax = 64;
  return std::string(s.substr(0, kMax)) + (s.size() > kMax ? "..." : "");
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// The "id" may be a string, a number or null (JSON-RPC 2.0, section 4).
bool valid_id(const json& id) { return id.is_string() || id.is_number() || id.is_null(); }

std::optional<std::uint64_t> to_unsigned(const json& v) {
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_number_integer() && v.get<std::int64_t>() >= 0)
    return static_cast<std::uint64_t>(v.get<std::int64_t>());
  return std::nullopt;
}

std::optional<std::string> read_param(const Method& m, const std::string& key, const json& v, Params& out) {
  if (key == "limit" && (m.allowed & kParamLimit)) {
    auto n = to_unsigned(v);
    if (!n) return "\"limit\" must be a non-negative integer";
    out.limit = *n;
    return std::nullopt;
  }
  if (key == "asn" && (m.allowed & kParamAsn)) {
    auto n = to_unsigned(v);
    if (!n || *n > UINT32_MAX) return "\"asn\" must be an integer in 0..4294967295";
    out.asn = static_cast<std::uint32_t>(*n);
    return std::nullopt;
  }
  if (key == "ips" && (m.allowed & kParamIps)) {
    if (!v.is_array() || v.empty()) return "\"ips\" must be a non-empty array of addresses";
    if (v.size() > kMaxLookupAddresses) return "\"ips\" holds more than 4096 addresses";
    for (const auto& ip : v) {
      if (!ip.is_string()) return "\"ips\" must be a non-empty array of addresses";
      const auto& s = ip.get_ref<const std::string&>();
      if (!parse_address(s)) return "not an IP address: '" + short_text(s) + "'";
      out.ips.push_back(s);
    }
    return std::nullopt;
  }
  return "unknown parameter '" + short_text(key) + "' for method " + std::string(m.name);
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
  unsigned given = (req.params.limit ? kParamLimit : 0U) | (req.params.asn ? kParamAsn : 0U) |
                   (req.params.ips.empty() ? 0U : kParamIps);
  if ((given & m.required) != m.required) {
    return fail("method " + std::string(m.name) + " needs params " + std::string(m.params));
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
    req.id_json = dump(*id);
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

const Method* find_method(std::string_view name) noexcept {
  auto it = std::find_if(kMethods.begin(), kMethods.end(), [&](const Method& m) { return m.name == name; });
  return it == kMethods.end() ? nullptr : &*it;
}

const Method* find_command(std::string_view command) noexcept {
  auto it =
      std::find_if(kMethods.begin(), kMethods.end(), [&](const Method& m) { return m.command == command; });
  return it == kMethods.end() ? nullptr : &*it;
}

std::variant<Request, RequestError> parse_request(std::string_view line) noexcept {
  try {
    return parse_checked(line);
  } catch (const std::exception& e) {
    // Only allocation failures can land here; the parser itself does not throw.
    return RequestError{ErrorCode::internal_error, e.what()};
  }
}

std::string make_request(std::uint64_t id, std::string_view method, const Params& params) {
  json req = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
  json p = json::object();
  if (params.limit) p["limit"] = *params.limit;
  if (params.asn) p["asn"] = *params.asn;
  if (!params.ips.empty()) p["ips"] = params.ips;
  if (!p.empty()) req["params"] = std::move(p);
  return dump(req) + "\n";
}

std::string make_result(std::string_view id_json, std::string_view result_json) {
  std::string out;
  out.reserve(result_json.size() + id_json.size() + 40);
  out.append(R"({"jsonrpc":"2.0","id":)").append(id_json).append(R"(,"result":)").append(result_json);
  out.append("}\n");
  return out;
}

std::string make_error(std::string_view id_json, ErrorCode code, std::string_view message) {
  json err = {{"code", static_cast<int>(code)}, {"message", message}};
  std::string out = R"({"jsonrpc":"2.0","id":)";
  out.append(id_json).append(R"(,"error":)").append(dump(err)).append("}\n");
  return out;
}

std::optional<Response> parse_response(std::string_view line) noexcept {
  try {
    json doc = json::parse(line.begin(), line.end(), nullptr, false);
    if (!doc.is_object() || doc.value("jsonrpc", json()) != "2.0" || !doc.contains("id")) return std::nullopt;
    Response r;
    r.id_json = dump(doc["id"]);
    if (auto res = doc.find("result"); res != doc.end()) {
      r.result_json = dump(*res);
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
    out.append(" | ").append(m.params.empty() ? "none" : "`" + std::string(m.params) + "`");
    out.append(" | `").append(m.command);
    if (!m.usage.empty()) out.append(" ").append(m.usage);
    out.append("` | ").append(m.help).append(" |\n");
  }
  return out;
}

}  // namespace asncounter::rpc
