#pragma once
// The store an answer reads (issue 26): one input's counts when the request
// names it (input NAME), else the whole store.

#include "common/rpc.hpp"
#include "daemon/rpc/daemon_control.hpp"
#include "daemon/rpc/dispatch.hpp"

namespace asncounter::rpc {

/// The store for `p`'s input, or the whole store; null with `error` set
/// (invalid params, naming the inputs there are) when no input has the name.
CounterStore* store_of(DaemonControl& d, const Params& p, Reply& error);

}  // namespace asncounter::rpc
