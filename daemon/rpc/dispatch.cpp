#include "daemon/rpc/dispatch.hpp"

#include <spdlog/spdlog.h>

#include <memory>
#include <stdexcept>

#include "daemon/rpc/handlers.hpp"
#include "daemon/sys/log.hpp"

namespace asncounter::rpc {
namespace {

// Handler exceptions become internal errors, on whichever thread it ran.
Reply run(MethodId id, const Method& m, DaemonControl& daemon, const Params& params, const AnswerCaps& caps) {
  try {
    return handle(id, daemon, params, caps);
  } catch (const std::exception& e) {
    log::get("rpc")->error("method {} failed: {}", m.name, e.what());
    return Reply::failure(ErrorCode::internal_error, e.what());
  }
}

}  // namespace

std::string Dispatcher::dispatch(std::string_view line, const PeerCredentials& peer) {
  Prepared p = prepare(line, peer);
  return finish(p.id_json, settle(std::move(p.reply)));
}

Reply Dispatcher::settle(Reply reply) {
  while (reply.next) reply = run_step(reply.next);
  if (reply.pieces) {
    reply.result_json = reply.pieces->rest();
    reply.pieces.reset();
  }
  return reply;
}

Prepared Dispatcher::prepare(std::string_view line, const PeerCredentials& peer) {
  ++counters_.requests;
  auto parsed = parse_request(line);
  if (auto* bad = std::get_if<RequestError>(&parsed))
    return Prepared{Reply::failure(bad->code, bad->message), bad->id_json};
  auto request = std::make_shared<Request>(std::move(std::get<Request>(parsed)));
  const Method& m = *request->method;
  ++counters_.by_method[std::string(m.name)];
  if (auto denied = refuse(*request, peer)) return Prepared{std::move(*denied), request->id_json};
  if (runs_on(m.id) == RunsOn::worker) {
    // Only values in the closure: it runs on a worker thread.
    return Prepared{Reply::off_loop([request, &daemon = daemon_, caps = caps_] {
                      return run(request->method->id, *request->method, daemon, request->params, caps);
                    }),
                    request->id_json};
  }
  return Prepared{run(m.id, m, daemon_, request->params, caps_), request->id_json};
}

Reply Dispatcher::run_step(const std::function<Reply()>& step) {
  try {
    return step();
  } catch (const std::exception& e) {
    log::get("rpc")->error("request failed: {}", e.what());
    return Reply::failure(ErrorCode::internal_error, e.what());
  }
}

std::string Dispatcher::finish(const std::string& id_json, const Reply& reply) {
  if (reply.ok) return make_result(id_json, reply.result_json);
  ++counters_.errors;
  return make_error(id_json, reply.code, reply.message);
}

std::shared_ptr<PiecedAnswer> Dispatcher::envelope(const std::string& id_json, const Reply& reply) {
  reply.pieces->prepend(result_head(id_json));
  reply.pieces->text(std::string(kResultTail));
  return reply.pieces;
}

std::optional<Reply> Dispatcher::refuse(const Request& request, const PeerCredentials& peer) {
  auto logger = log::get("rpc");
  const Method& m = *request.method;
  if (m.access == Access::read) return std::nullopt;
  if (m.access != Access::admin || !policy_.is_admin(peer)) {
    ++counters_.denied;
    logger->warn("denied admin method {} to uid {} pid {}", m.name, peer.uid, peer.pid);
    return Reply::failure(ErrorCode::permission_denied,
                          "method " + std::string(m.name) + " needs an admin peer (root, the daemon's user" +
                              (policy_.group_name().empty() ? "" : " or group " + policy_.group_name()) +
                              ")");
  }
  logger->info("admin method {} called by uid {} pid {}", m.name, peer.uid, peer.pid);
  return std::nullopt;
}

}  // namespace asncounter::rpc
