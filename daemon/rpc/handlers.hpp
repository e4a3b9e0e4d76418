#pragma once
// The handlers of every method of common/rpc.hpp, in an array indexed by
// rpc::MethodId (a method without a handler fails the build), against the
// daemon's narrow interface (daemon/rpc/daemon_control.hpp).

#include <cstdint>

#include "common/rpc.hpp"
#include "daemon/rpc/daemon_control.hpp"
#include "daemon/rpc/dispatch.hpp"

namespace asncounter::rpc {

/// Handles one validated request of one method; runs on the io thread, or
/// on the server's worker when runs_on() says so.
using Handler = Reply (*)(DaemonControl& daemon, const Params& params, const AnswerCaps& caps);

/// Runs the handler of method `id`. Handler exceptions pass through (the
/// dispatcher turns them into errors).
Reply handle(MethodId id, DaemonControl& daemon, const Params& params, const AnswerCaps& caps = {});

/// Where a method's handler runs: on the event loop, or on a worker for the
/// answers that may take long (whole-store reads, sorted), which then use
/// only the thread-safe members of DaemonControl (store() and names()).
/// Every row says it (`unset` fails the build).
enum class RunsOn : std::uint8_t { unset, loop, worker };
RunsOn runs_on(MethodId id);

}  // namespace asncounter::rpc
