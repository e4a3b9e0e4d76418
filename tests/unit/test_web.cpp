// The daemon's HTTP server (daemon/web/) with a fake daemon behind it: its
// routes, its errors, its bounds (connections per address, request size,
// request rate) and the page's policy.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "daemon/web/api_query.hpp"
#include "daemon/web/web_server.hpp"
#include "tests/support/http_client.hpp"

using asncounter::test::http_get;
using asncounter::web::WebBackend;
using asncounter::web::WebLimits;
using asncounter::web::WebServer;
using nlohmann::json;
namespace rpc = asncounter::rpc;
using namespace std::chrono_literals;

namespace {

// A daemon that answers every read method with the method's name and params.
WebBackend fake_backend() {
  WebBackend b;
  b.snapshot = [] {
    asncounter::MetricsSnapshot s;
    s.top_asns.total = {42, 0, 0, 0};
    return std::optional<asncounter::MetricsSnapshot>(s);
  };
  b.prepare = [](rpc::MethodId id, const rpc::Params& p) {
    json out = {{"method", std::string(rpc::method(id).name)}};
    if (auto w = p.number(rpc::ParamId::window)) out["window"] = *w;
    if (auto a = p.number(rpc::ParamId::asn)) out["asn"] = *a;
    return std::optional<rpc::Reply>(rpc::Reply::success(out.dump()));
  };
  return b;
}

std::unique_ptr<WebServer> serve(const WebLimits& limits = {}) {
  auto server = WebServer::start("127.0.0.1:0", fake_backend(), limits);
  REQUIRE(server.ok());
  return std::move(*server);
}

json error_of(const asncounter::test::HttpAnswer& a) {
  auto doc = json::parse(a.body, nullptr, false);
  REQUIRE(doc.is_object());
  return doc["error"];
}

}  // namespace

TEST_CASE("The API answers a read method with the daemon's answer and its parameters", "[web]") {
  auto s = serve();
  auto a = http_get(s->port(), "/api/top?window=60&limit=5");
  REQUIRE(a.status == 200);
  CHECK(a.headers["content-type"] == "application/json");
  CHECK(a.headers["x-content-type-options"] == "nosniff");
  CHECK(json::parse(a.body) == json{{"method", "top"}, {"window", 60}});
  // A window may be written as a duration, as asncounterctl takes it.
  CHECK(json::parse(http_get(s->port(), "/api/asn?asn=64496&window=5m").body) ==
        json{{"method", "asn"}, {"asn", 64496}, {"window", 300}});
}

TEST_CASE("Unknown paths are 404 and bad parameters 400 naming the parameter", "[web][adversarial]") {
  auto s = serve();
  auto a = http_get(s->port(), "/nowhere");
  CHECK(a.status == 404);
  CHECK(error_of(a)["status"] == 404);
  // Admin methods are not paths of the API: reset, refresh and reload are 404.
  for (const char* admin : {"/api/reset", "/api/refresh", "/api/reload", "/api/lookup"})
    CHECK(http_get(s->port(), admin).status == 404);
  struct Case {
    std::string target, parameter;
  };
  for (const auto& c :
       {Case{"/api/top?window=abc", "window"}, Case{"/api/top?window=-1", "window"},
        Case{"/api/top?limit=1e9", "limit"}, Case{"/api/top?bogus=1", "bogus"}, Case{"/api/top?asn=1", "asn"},
        Case{"/api/asn", "asn"}, Case{"/api/asn?asn=4294967296", "asn"},
        Case{"/api/top?limit=1&limit=2", "limit"}, Case{"/api/top?limit=%zz", "limit"}}) {
    auto bad = http_get(s->port(), c.target);
    INFO(c.target << " -> " << bad.body);
    CHECK(bad.status == 400);
    CHECK(error_of(bad)["parameter"] == c.parameter);
  }
}

TEST_CASE("A hostile parameter name is echoed escaped, not as it came", "[web][adversarial]") {
  auto s = serve();
  auto a = http_get(s->port(), "/api/top?%1b%5b31m%3cscript%3e=1");
  REQUIRE(a.status == 400);
  std::string name = error_of(a)["parameter"];
  CHECK(name.find('\x1b') == std::string::npos);
  CHECK(a.headers["content-type"] == "application/json");
}

TEST_CASE("Connections over the per-address bound are closed, other addresses still served",
          "[web][adversarial]") {
  WebLimits limits;
  limits.max_clients_per_address = 4;
  auto s = serve(limits);
  asncounter::test::SlowClients idle(s->port(), 6, 1, 0ms);  // all from 127.0.0.2
  for (int i = 0; i < 50 && s->refused() < 2; ++i) std::this_thread::sleep_for(20ms);
  CHECK(s->refused() >= 2);
  CHECK(http_get(s->port(), "/metrics", 2s, "127.0.0.2").status == 0);  // its share is full
  CHECK(http_get(s->port(), "/metrics", 2s, "127.0.0.1").status == 200);
}

TEST_CASE("A request header over the size bound is refused", "[web][adversarial]") {
  auto s = serve();
  auto a = http_get(s->port(), "/api/top?" + std::string(10000, 'a'));
  CHECK(a.status == 413);
}

TEST_CASE("An address asking too fast gets 429, others do not", "[web][adversarial]") {
  WebLimits limits;
  limits.requests_per_second = 1;
  limits.request_burst = 5;
  auto s = serve(limits);
  int refused = 0;
  for (int i = 0; i < 10; ++i) refused += http_get(s->port(), "/api/stats", 2s, "127.0.0.3").status == 429;
  CHECK(refused >= 4);
  CHECK(http_get(s->port(), "/api/stats", 2s, "127.0.0.4").status == 200);
}

TEST_CASE("The page is served with a policy that forbids anything but its own code", "[web]") {
  auto s = serve();
  auto a = http_get(s->port(), "/");
  REQUIRE(a.status == 200);
  CHECK(a.headers["content-type"] == "text/html; charset=utf-8");
  std::string csp = a.headers["content-security-policy"];
  CHECK(csp.find("default-src 'none'") != std::string::npos);
  auto nonce_at = csp.find("'nonce-");
  REQUIRE(nonce_at != std::string::npos);
  std::string nonce = csp.substr(nonce_at + 7, csp.find('\'', nonce_at + 7) - nonce_at - 7);
  CHECK(a.body.find("nonce=\"" + nonce + "\"") != std::string::npos);
  CHECK(a.body.find("__CSP_NONCE__") == std::string::npos);
  // Nothing from the network: no absolute URL in the page (but the SVG
  // namespace, a name that is never fetched).
  std::string body = a.body;
  for (auto at = body.find("http://www.w3.org/2000/svg"); at != std::string::npos;
       at = body.find("http://www.w3.org/2000/svg"))
    body.erase(at, 26);
  CHECK(body.find("http://") == std::string::npos);
  CHECK(body.find("https://") == std::string::npos);
  // A fresh nonce per answer.
  CHECK(http_get(s->port(), "/").headers["content-security-policy"] != csp);
}

TEST_CASE("Without an API backend only /metrics is served", "[web]") {
  WebBackend b = fake_backend();
  b.prepare = nullptr;
  auto server = WebServer::start("127.0.0.1:0", b);
  REQUIRE(server.ok());
  CHECK(http_get((*server)->port(), "/metrics").status == 200);
  CHECK(http_get((*server)->port(), "/").status == 404);
  CHECK(http_get((*server)->port(), "/api/top").status == 404);
}

TEST_CASE("API queries are checked against the method's row", "[web]") {
  auto parsed = asncounter::web::parse_api_query(rpc::method(rpc::MethodId::prefixes), "asn=AS64496");
  REQUIRE(std::holds_alternative<asncounter::web::QueryError>(parsed));
  CHECK(std::get<asncounter::web::QueryError>(parsed).parameter == "asn");
  parsed =
      asncounter::web::parse_api_query(rpc::method(rpc::MethodId::prefixes), "asn=64496&limit=0&window=1h");
  REQUIRE(std::holds_alternative<rpc::Params>(parsed));
  const auto& p = std::get<rpc::Params>(parsed);
  CHECK(p.number(rpc::ParamId::asn) == 64496U);
  CHECK(p.number(rpc::ParamId::limit) == 0U);
  CHECK(p.number(rpc::ParamId::window) == 3600U);
  CHECK(asncounter::web::percent_decode("a%20b+c") == "a b c");
  CHECK_FALSE(asncounter::web::percent_decode("a%2"));
}
