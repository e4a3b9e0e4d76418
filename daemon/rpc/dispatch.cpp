#include "daemon/rpc/dispatch.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "daemon/log.hpp"
#include "daemon/rpc/handlers.hpp"

namespace asncounter::rpc {

std::string Dispatcher::dispatch(std::string_view line, const PeerCredentials& peer) {
  ++counters_.requests;
  auto parsed = parse_request(line);
  if (auto* bad = std::get_if<RequestError>(&parsed)) {
    ++counters_.errors;
    return make_error(bad->id_json, bad->code, bad->message);
  }
  const auto& request = std::get<Request>(parsed);
  ++counters_.by_method[std::string(request.method->name)];
  Reply reply = call(request, peer);
  if (reply.ok) return make_result(request.id_json, reply.result_json);
  ++counters_.errors;
  return make_error(request.id_json, reply.code, reply.message);
}

Reply Dispatcher::call(const Request& request, const PeerCredentials& peer) {
  auto logger = log::get("rpc");
  const Method& m = *request.method;
  if (m.access != Access::read) {
    if (m.access != Access::admin || !policy_.is_admin(peer)) {
      ++counters_.denied;
      logger->warn("denied admin method {} to uid {} pid {}", m.name, peer.uid, peer.pid);
      return Reply::failure(
          ErrorCode::permission_denied,
          "method " + std::string(m.name) + " needs an admin peer (root, the daemon's user" +
              (policy_.group_name().empty() ? "" : " or group " + policy_.group_name()) + ")");
    }
    logger->info("admin method {} called by uid {} pid {}", m.name, peer.uid, peer.pid);
  }
  try {
    return handle(m.id, daemon_, request.params);
  } catch (const std::exception& e) {
    logger->error("method {} failed: {}", m.name, e.what());
    return Reply::failure(ErrorCode::internal_error, e.what());
  }
}

}  // namespace asncounter::rpc
