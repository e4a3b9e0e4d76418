#pragma once
// The dispatcher: one request line in, one answer line out. Access is
// decided from common/rpc.hpp's table before the method's handler
// (daemon/rpc/handlers.hpp) runs (deny by default); admin calls are logged
// with the peer's uid. Heavy reads are handed back as steps to run off the
// event loop, and long answers as pieces written as they are made.

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/rpc.hpp"
#include "daemon/rpc/dispatch_counters.hpp"
#include "daemon/rpc/peer_credentials.hpp"
#include "daemon/rpc/pieced_answer.hpp"

namespace asncounter::rpc {

class DaemonControl;

/// A handler's answer: result JSON text (whole, or in pieces written as they
/// are made), an error, or not yet an answer but the step that makes it.
struct Reply {
  std::string result_json;               ///< valid JSON when ok and `pieces` is null
  std::shared_ptr<PiecedAnswer> pieces;  ///< a long result, written as it is made
  ErrorCode code{};                      ///< meaningful when !ok
  std::string message;
  bool ok = true;
  /// When set, the step that makes the answer (its Reply is taken in turn):
  /// on the RPC worker, off the event loop (heavy reads, a reload's parsing),
  /// or on the loop when `next_on_loop` (a reload swapping in what it read).
  std::function<Reply()> next;
  bool next_on_loop = false;

  static Reply success(std::string json) { return Reply{std::move(json), {}, {}, {}, true, {}, false}; }
  static Reply streamed(std::shared_ptr<PiecedAnswer> p) {
    return Reply{{}, std::move(p), {}, {}, true, {}, false};
  }
  static Reply failure(ErrorCode c, std::string why) {
    return Reply{{}, {}, c, std::move(why), false, {}, false};
  }
  static Reply off_loop(std::function<Reply()> step) {
    return Reply{{}, {}, {}, {}, true, std::move(step), false};
  }
  static Reply on_loop(std::function<Reply()> step) {
    return Reply{{}, {}, {}, {}, true, std::move(step), true};
  }
};

/// Bounds on one answer (option rpc-max-rows; a reload may change them).
struct AnswerCaps {
  /// Rows per table in top, prefixes and report, whatever the limit asked
  /// (0 included); a table cut here says "truncated": true.
  std::size_t max_rows = 100000;
};

/// A request decided on the event loop: its reply (perhaps a step to run
/// first) and its id, for the answer line.
struct Prepared {
  Reply reply;
  std::string id_json = "null";
};

class Dispatcher {
 public:
  /// `daemon` must outlive the dispatcher.
  Dispatcher(DaemonControl& daemon, AdminPolicy policy) : daemon_(daemon), policy_(std::move(policy)) {}

  /// Answers one request line (without its newline) from `peer`; the answer
  /// line ends in a newline. Every step runs on the caller's thread. Never
  /// throws: handler exceptions become errors.
  std::string dispatch(std::string_view line, const PeerCredentials& peer);
  /// The same in steps, for the event loop: parse, count, check access and
  /// answer light methods at once; heavy reads and reloads come back as steps
  /// (Reply::next) for the session to run where they say, then finish() or
  /// envelope() gives the answer line.
  Prepared prepare(std::string_view line, const PeerCredentials& peer);
  /// Runs a reply's next step; an exception becomes an internal error.
  static Reply run_step(const std::function<Reply()>& step);
  /// Runs every step of `reply` on the caller's thread and gathers its
  /// pieces into result_json: the whole answer at once (dispatch(), tests).
  static Reply settle(Reply reply);
  /// The answer line of a reply with no step left and no pieces (on the event loop).
  std::string finish(const std::string& id_json, const Reply& reply);
  /// The answer line of a pieced reply: its pieces inside the JSON-RPC envelope.
  std::shared_ptr<PiecedAnswer> envelope(const std::string& id_json, const Reply& reply);
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
