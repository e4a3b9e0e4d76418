#include "daemon/rpc/dispatch.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "daemon/log.hpp"

namespace asncounter::rpc {

Dispatcher::Dispatcher(HandlerMap handlers, AdminPolicy policy) : policy_(std::move(policy)) {
  for (const auto& m : methods()) {
    auto it = handlers.find(std::string(m.name));
    if (it == handlers.end() || !it->second)
      throw std::logic_error("no handler for method " + std::string(m.name));
    routes_.emplace(m.name, Route{&m, std::move(it->second)});
    handlers.erase(it);
  }
  if (!handlers.empty()) throw std::logic_error("handler for unknown method " + handlers.begin()->first);
}

std::string Dispatcher::dispatch(std::string_view line, const PeerCredentials& peer) {
  ++counters_.requests;
  auto parsed = parse_request(line);
  if (auto* bad = std::get_if<RequestError>(&parsed)) {
    ++counters_.errors;
    return make_error(bad->id_json, bad->code, bad->message);
  }
  const auto& request = std::get<Request>(parsed);
  ++counters_.by_method[std::string(request.method->name)];
  // Every method of the table has a route (checked in the constructor).
  Reply reply = call(routes_.at(request.method->name), request, peer);
  if (reply.ok) return make_result(request.id_json, reply.result_json);
  ++counters_.errors;
  return make_error(request.id_json, reply.code, reply.message);
}

Reply Dispatcher::call(const Route& route, const Request& request, const PeerCredentials& peer) {
  auto logger = log::get("rpc");
  if (route.method->access != Access::read) {
    if (route.method->access != Access::admin || !policy_.is_admin(peer)) {
      ++counters_.denied;
      logger->warn("denied admin method {} to uid {} pid {}", route.method->name, peer.uid, peer.pid);
      return Reply::failure(
          ErrorCode::permission_denied,
          "method " + std::string(route.method->name) + " needs an admin peer (root, the daemon's user" +
              (policy_.group_name().empty() ? "" : " or group " + policy_.group_name()) + ")");
    }
    logger->info("admin method {} called by uid {} pid {}", route.method->name, peer.uid, peer.pid);
  }
  try {
    return route.handler(request.params);
  } catch (const std::exception& e) {
    logger->error("method {} failed: {}", route.method->name, e.what());
    return Reply::failure(ErrorCode::internal_error, e.what());
  }
}

}  // namespace asncounter::rpc
