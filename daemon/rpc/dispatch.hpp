#pragma once
// The dispatcher: one request line in, one answer line out. Access is
// decided from common/rpc.hpp's table before the method's handler
// (daemon/rpc/handlers.hpp) runs (deny by default); admin calls are logged
// with the peer's uid. Heavy reads are handed back as work to run off the
// event loop (prepare(), then finish() on the loop).

#include <cstddef>
#include <functional>
#include <optional>
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

/// Bounds on one answer (option rpc-max-rows; a reload may change them).
struct AnswerCaps {
  /// Rows per table in top, prefixes and report, whatever the limit asked
  /// (0 included); a table cut here says "truncated": true.
  std::size_t max_rows = 100000;
};

/// A request decided on the event loop: its answer, or the work that makes it.
struct Prepared {
  std::string answer;            ///< the answer line, when `work` is empty
  std::function<Reply()> work;   ///< a heavy read: thread-safe, run off the loop, then finish()
  std::string id_json = "null";  ///< the request's id, for finish()
};

class Dispatcher {
 public:
  /// `daemon` must outlive the dispatcher.
  Dispatcher(DaemonControl& daemon, AdminPolicy policy) : daemon_(daemon), policy_(std::move(policy)) {}

  /// Answers one request line (without its newline) from `peer`; the answer
  /// line ends in a newline. Never throws: handler exceptions become errors.
  std::string dispatch(std::string_view line, const PeerCredentials& peer);
  /// The same in two steps, for the event loop: parse, count, check access
  /// and answer light methods at once; heavy reads come back as work (on the
  /// event loop).
  Prepared prepare(std::string_view line, const PeerCredentials& peer);
  /// The answer line once the work of prepare() gave `reply` (on the event loop).
  std::string finish(const Prepared& prepared, const Reply& reply);
  /// Installs a new admin rule (reload).
  void set_policy(AdminPolicy policy) { policy_ = std::move(policy); }
  /// Installs new answer bounds (reload).
  void set_caps(AnswerCaps caps) { caps_ = caps; }
  /// Whether `peer` may call admin methods (the server keeps slots for them).
  bool is_admin(const PeerCredentials& peer) const { return policy_.is_admin(peer); }
  const DispatchCounters& counters() const { return counters_; }
  /// Counts an answer made outside dispatch() (oversized requests).
  void count_error() {
    ++counters_.requests;
    ++counters_.errors;
  }

 private:
  std::optional<Reply> refuse(const Request& request, const PeerCredentials& peer);

  DaemonControl& daemon_;
  AdminPolicy policy_;
  AnswerCaps caps_;
  DispatchCounters counters_;
};

}  // namespace asncounter::rpc
