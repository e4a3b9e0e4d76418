#include "daemon/web/web_routes.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <exception>
#include <string>
#include <string_view>
#include <variant>

#include "daemon/sys/log.hpp"
#include "daemon/web/api_query.hpp"
#include "daemon/web/web_page.hpp"

namespace asncounter::web {

namespace {

// The methods the API serves: read methods whose answers a page draws.
// Admin methods are not here and cannot be reached (deny by default).
constexpr std::array kApiMethods{rpc::MethodId::top,   rpc::MethodId::prefixes, rpc::MethodId::asn,
                                 rpc::MethodId::stats, rpc::MethodId::series,   rpc::MethodId::decisions};

// Bytes of an answer printed per piece before its size is checked again.
constexpr std::size_t kPieceBytes = 64 * 1024;

void serve_metrics(WebContext& ctx, std::string_view, Respond respond) {
  ctx.metrics.scrape([respond = std::move(respond)](std::shared_ptr<const std::string> text) {
    respond(make_response(http::status::ok, "text/plain; version=0.0.4; charset=utf-8", *text));
  });
}

void serve_page(WebContext&, std::string_view, Respond respond) { respond(page_response()); }

// Runs the reply's steps and gathers its pieces, up to the answer cap.
Response settle(WebContext& ctx, rpc::Reply reply) {
  while (reply.next) {
    // A read method never asks for the loop again; only reload does.
    if (reply.next_on_loop) return json_error(http::status::internal_server_error, "unexpected step");
    reply = rpc::Dispatcher::run_step(reply.next);
  }
  if (!reply.ok) {
    auto status = reply.code == rpc::ErrorCode::unavailable      ? http::status::service_unavailable
                  : reply.code == rpc::ErrorCode::invalid_params ? http::status::bad_request
                                                                 : http::status::internal_server_error;
    return json_error(status, reply.message);
  }
  std::string body = std::move(reply.result_json);
  if (reply.pieces) {
    while (reply.pieces->next(body, kPieceBytes)) {
      if (body.size() > ctx.limits.max_answer_bytes)
        return json_error(http::status::payload_too_large, "answer too large: ask for fewer rows", "limit");
    }
  }
  if (body.size() > ctx.limits.max_answer_bytes)
    return json_error(http::status::payload_too_large, "answer too large: ask for fewer rows", "limit");
  return make_response(http::status::ok, "application/json", std::move(body));
}

void serve_api(WebContext& ctx, const rpc::Method& method, std::string_view query, Respond respond) {
  auto parsed = parse_api_query(method, query);
  if (auto* bad = std::get_if<QueryError>(&parsed)) {
    respond(json_error(http::status::bad_request, bad->message, bad->parameter));
    return;
  }
  asio::post(ctx.workers, [&ctx, id = method.id, params = std::get<rpc::Params>(std::move(parsed)),
                           respond = std::move(respond)]() mutable {
    Response answer;
    try {
      auto reply = ctx.backend.prepare(id, params);
      answer = reply ? settle(ctx, std::move(*reply))
                     : json_error(http::status::service_unavailable, "the daemon is busy, try again");
    } catch (const std::exception& e) {
      log::get("rpc")->error("web answer failed: {}", e.what());
      answer = json_error(http::status::internal_server_error, "internal error");
    }
    asio::post(ctx.io, [answer = std::move(answer), respond = std::move(respond)]() mutable {
      respond(std::move(answer));
    });
  });
}

}  // namespace

void route(WebContext& ctx, const Request& req, Respond respond) {
  if (req.method() != http::verb::get) {
    auto r = json_error(http::status::method_not_allowed, "read-only: GET only");
    r.set(http::field::allow, "GET");
    respond(std::move(r));
    return;
  }
  std::string_view target(req.target().data(), req.target().size());
  auto q = target.find('?');
  std::string_view path = target.substr(0, q);
  std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  if (path == "/metrics") return serve_metrics(ctx, query, std::move(respond));
  bool api = static_cast<bool>(ctx.backend.prepare);
  if (api && (path == "/" || path == "/index.html")) return serve_page(ctx, query, std::move(respond));
  if (api && path.starts_with("/api/")) {
    std::string_view name = path.substr(5);
    auto it = std::find_if(kApiMethods.begin(), kApiMethods.end(),
                           [&](rpc::MethodId id) { return rpc::method(id).name == name; });
    if (it != kApiMethods.end()) return serve_api(ctx, rpc::method(*it), query, std::move(respond));
  }
  respond(json_error(http::status::not_found, "no such path"));
}

}  // namespace asncounter::web
