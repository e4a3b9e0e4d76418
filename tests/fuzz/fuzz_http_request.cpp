// Fuzz target: what an HTTP client sends the daemon's web port, through the
// same request parser and bounds (Boost.Beast, daemon/web/web_limits.hpp)
// and the API's query parser (daemon/web/api_query.cpp).
#include <boost/beast/http.hpp>

#include <cstdint>
#include <string_view>
#include <variant>

#include "common/rpc.hpp"
#include "daemon/web/api_query.hpp"
#include "daemon/web/web_limits.hpp"

namespace http = boost::beast::http;
namespace rpc = asncounter::rpc;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  asncounter::web::WebLimits limits;
  http::request_parser<http::empty_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
  parser.body_limit(limits.max_body_bytes);
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (ec || !parser.is_header_done()) return 0;
  auto target = parser.get().target();
  std::string_view t(target.data(), target.size());
  auto q = t.find('?');
  std::string_view query = q == std::string_view::npos ? std::string_view() : t.substr(q + 1);
  for (auto id : {rpc::MethodId::top, rpc::MethodId::prefixes, rpc::MethodId::asn, rpc::MethodId::stats,
                  rpc::MethodId::series}) {
    const rpc::Method& m = rpc::method(id);
    auto parsed = asncounter::web::parse_api_query(m, query);
    if (const auto* p = std::get_if<rpc::Params>(&parsed)) {
      // Accepted parameters are the method's, within their declared range.
      if (p->given() & ~m.params) __builtin_trap();
      if ((p->given() & m.required) != m.required) __builtin_trap();
      for (const auto& spec : rpc::params()) {
        auto n = p->number(spec.id);
        if (n && (*n < spec.min || *n > spec.max)) __builtin_trap();
      }
    } else if (std::get<asncounter::web::QueryError>(parsed).parameter.size() > 1024) {
      __builtin_trap();  // a name echoed in an error stays short
    }
  }
  return 0;
}
