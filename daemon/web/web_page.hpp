#pragma once
// The page at / (daemon/web/page.html, embedded in the binary at build time
// by daemon/CMakeLists.txt): its inline script and style run under a
// per-answer nonce, and the Content-Security-Policy forbids everything else
// (no asset from the network, no inline code an injected name could add).

#include <string_view>

#include "daemon/web/http_types.hpp"

namespace asncounter::web {

/// page.html as it was at build time (generated web_page_html.cpp).
extern const std::string_view kPageHtml;

/// The page with a fresh nonce, and its headers.
Response page_response();

}  // namespace asncounter::web
