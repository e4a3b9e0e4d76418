#pragma once
// Which path answers what (docs/web.md): one table of routes, read-only
// all of them. Internal to daemon/web/.

#include "daemon/web/http_types.hpp"
#include "daemon/web/web_context.hpp"

namespace asncounter::web {

/// Answers one request on the server's thread; `respond` is called once,
/// on that thread (at once, or when a worker is done).
void route(WebContext& ctx, const Request& req, Respond respond);

}  // namespace asncounter::web
