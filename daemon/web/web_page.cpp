#include "daemon/web/web_page.hpp"

#include <random>
#include <string>

namespace asncounter::web {

namespace {

constexpr std::string_view kNoncePlaceholder = "__CSP_NONCE__";

std::string fresh_nonce() {
  static thread_local std::random_device device;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 4; ++i) {
    auto word = device();
    for (int j = 0; j < 8; ++j, word >>= 4) out += kHex[word & 15U];
  }
  return out;
}

}  // namespace

Response page_response() {
  std::string nonce = fresh_nonce();
  std::string html(kPageHtml);
  for (auto at = html.find(kNoncePlaceholder); at != std::string::npos;
       at = html.find(kNoncePlaceholder, at + nonce.size()))
    html.replace(at, kNoncePlaceholder.size(), nonce);
  Response r = make_response(http::status::ok, "text/html; charset=utf-8", std::move(html));
  // The page's own script and style (by nonce) and its API calls; nothing
  // else: no other origin, no inline code without the nonce, no plugin, no frame.
  r.set("Content-Security-Policy", "default-src 'none'; script-src 'nonce-" + nonce + "'; style-src 'nonce-" +
                                       nonce +
                                       "'; connect-src 'self'; img-src 'self'; base-uri 'none'; "
                                       "form-action 'none'; frame-ancestors 'none'");
  return r;
}

}  // namespace asncounter::web
