#pragma once
// The handlers of every method of common/rpc.hpp, in an array indexed by
// rpc::MethodId (a method without a handler fails the build), against the
// daemon's narrow interface (daemon/rpc/daemon_control.hpp).

#include "common/rpc.hpp"
#include "daemon/rpc/daemon_control.hpp"
#include "daemon/rpc/dispatch.hpp"

namespace asncounter::rpc {

/// Handles one validated request of one method; runs on the io thread, or
/// on the server's worker when runs_off_loop() says so.
using Handler = Reply (*)(DaemonControl& daemon, const Params& params, const AnswerCaps& caps);

/// Runs the handler of method `id`. Handler exceptions pass through (the
/// dispatcher turns them into errors).
Reply handle(MethodId id, DaemonControl& daemon, const Params& params, const AnswerCaps& caps = {});

/// The methods whose answers may take long (whole-store reads, sorted):
/// they run off the event loop, using only the thread-safe members of
/// DaemonControl (store() and names()).
bool runs_off_loop(MethodId id);

}  // namespace asncounter::rpc
