#include "daemon/web/http_types.hpp"

#include <nlohmann/json.hpp>

#include "common/json_text.hpp"

namespace asncounter::web {

Response make_response(http::status status, std::string_view content_type, std::string body) {
  Response r{status, 11};
  r.set(http::field::content_type, std::string(content_type));
  r.set(http::field::cache_control, "no-store");
  r.set("X-Content-Type-Options", "nosniff");
  r.set("X-Frame-Options", "DENY");
  r.set("Referrer-Policy", "no-referrer");
  // Answers other than the page load nothing at all.
  r.set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
  r.body() = std::move(body);
  r.prepare_payload();
  return r;
}

Response json_error(http::status status, std::string_view message, std::string_view parameter) {
  nlohmann::json e = {{"status", static_cast<unsigned>(status)}, {"message", std::string(message)}};
  if (!parameter.empty()) e["parameter"] = std::string(parameter);
  return make_response(status, "application/json", compact_json(nlohmann::json{{"error", std::move(e)}}));
}

}  // namespace asncounter::web
