#pragma once
// The handlers of every method of common/rpc.hpp, in an array indexed by
// rpc::MethodId (a method without a handler fails the build), against the
// daemon's narrow interface (daemon/rpc/daemon_control.hpp).

#include "common/rpc.hpp"
#include "daemon/rpc/daemon_control.hpp"
#include "daemon/rpc/dispatch.hpp"

namespace asncounter::rpc {

/// Handles one validated request of one method; runs on the io thread.
using Handler = Reply (*)(DaemonControl& daemon, const Params& params);

/// Runs the handler of method `id`. Handler exceptions pass through (the
/// dispatcher turns them into errors).
Reply handle(MethodId id, DaemonControl& daemon, const Params& params);

}  // namespace asncounter::rpc
