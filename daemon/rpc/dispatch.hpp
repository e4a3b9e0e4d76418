#pragma once
// The dispatch table: one handler per method of common/rpc.hpp's table,
// access decided before dispatch (deny by default), admin calls logged with
// the peer's uid.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/rpc.hpp"
#include "daemon/rpc/peer_credentials.hpp"

namespace asncounter::rpc {

/// A handler's answer: result JSON text, or an error.
struct Reply {
  std::string result_json;  ///< valid JSON when ok
  ErrorCode code{};         ///< meaningful when !ok
  std::string message;
  bool ok = true;

  static Reply success(std::string json) { return Reply{std::move(json), {}, {}, true}; }
  static Reply failure(ErrorCode c, std::string why) { return Reply{{}, c, std::move(why), false}; }
};

/// Handles one validated request of one method.
using Handler = std::function<Reply(const Params&)>;
/// Handlers by wire method name.
using HandlerMap = std::unordered_map<std::string, Handler>;

/// Request counters, for stats.
struct DispatchCounters {
  std::uint64_t requests{};                        ///< lines answered
  std::uint64_t errors{};                          ///< answered with an error (denials included)
  std::uint64_t denied{};                          ///< admin methods refused
  std::map<std::string, std::uint64_t> by_method;  ///< valid requests per method (metrics)
};

class Dispatcher {
 public:
  /// Throws std::logic_error naming the first method of the table without a
  /// handler, or a handler for no method (a bug: caught at start and in tests).
  Dispatcher(HandlerMap handlers, AdminPolicy policy);

  /// Answers one request line (without its newline) from `peer`; the answer
  /// line ends in a newline. Never throws: handler exceptions become errors.
  std::string dispatch(std::string_view line, const PeerCredentials& peer);
  /// Installs a new admin rule (reload).
  void set_policy(AdminPolicy policy) { policy_ = std::move(policy); }
  const DispatchCounters& counters() const { return counters_; }
  /// Counts an answer made outside dispatch() (oversized requests).
  void count_error() {
    ++counters_.requests;
    ++counters_.errors;
  }

 private:
  struct Route {
    const Method* method;
    Handler handler;
  };
  Reply call(const Route& route, const Request& request, const PeerCredentials& peer);

  std::unordered_map<std::string_view, Route> routes_;
  AdminPolicy policy_;
  DispatchCounters counters_;
};

}  // namespace asncounter::rpc
