#pragma once
// The dispatcher: one request line in, one answer line out. Access is
// decided from common/rpc.hpp's table before the method's handler
// (daemon/rpc/handlers.hpp) runs (deny by default); admin calls are logged
// with the peer's uid.

#include <string>
#include <string_view>
#include <utility>

#include "common/rpc.hpp"
#include "daemon/rpc/dispatch_counters.hpp"
#include "daemon/rpc/peer_credentials.hpp"

namespace asncounter::rpc {

class DaemonControl;

/// A handler's answer: result JSON text, or an error.
struct Reply {
  std::string result_json;  ///< valid JSON when ok
  ErrorCode code{};         ///< meaningful when !ok
  std::string message;
  bool ok = true;

  static Reply success(std::string json) { return Reply{std::move(json), {}, {}, true}; }
  static Reply failure(ErrorCode c, std::string why) { return Reply{{}, c, std::move(why), false}; }
};

class Dispatcher {
 public:
  /// `daemon` must outlive the dispatcher.
  Dispatcher(DaemonControl& daemon, AdminPolicy policy) : daemon_(daemon), policy_(std::move(policy)) {}

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
  Reply call(const Request& request, const PeerCredentials& peer);

  DaemonControl& daemon_;
  AdminPolicy policy_;
  DispatchCounters counters_;
};

}  // namespace asncounter::rpc
