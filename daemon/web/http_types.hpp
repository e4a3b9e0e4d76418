#pragma once
// The request and answer types of the HTTP server, and the answers every
// route shares (internal to daemon/web/).

#include <boost/beast/http.hpp>

#include <functional>
#include <string>
#include <string_view>

namespace asncounter::web {

namespace http = boost::beast::http;

/// GET and HEAD only: a request has no body.
using Request = http::request<http::empty_body>;
using Response = http::response<http::string_body>;
/// How a route hands its answer back (on the server's thread, once).
using Respond = std::function<void(Response)>;

/// An answer with the headers every answer carries (no caching, no sniffing,
/// nothing framed or loaded from elsewhere).
Response make_response(http::status status, std::string_view content_type, std::string body);
/// A JSON error: {"error": {"status": N, "message": "...", "parameter": "..."}}
/// (parameter only when one is to blame).
Response json_error(http::status status, std::string_view message, std::string_view parameter = {});

}  // namespace asncounter::web
