// The daemon's read-only JSON API under /api/ (docs/web.md): the same
// answers as the control socket, hostile names as data, and the Grafana
// dashboard's queries against a live /metrics.
#include <catch2/catch.hpp>

#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <thread>

#include "common/table/ipasn.hpp"
#include "tests/integration/daemon_fixture.hpp"
#include "tests/support/files.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/polling.hpp"

using asncounter::test::DaemonFixture;
using asncounter::test::http_get;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// A name no page or terminal may run or obey.
const std::string kHostileName = "<script>alert(1)</script><img src=x onerror=alert(2)>, ZZ";

struct ApiDaemon {
  asncounter::test::TempDir names_dir;
  int port = asncounter::test::free_tcp_port();
  std::unique_ptr<DaemonFixture> d;
  explicit ApiDaemon(std::vector<std::string> more_args = {}) {
    json names = {{"64496", "DOC-A, ZZ"}, {"64497", kHostileName}};
    REQUIRE(asncounter::test::write_text(names_dir / "asnames.json", names.dump()));
    DaemonFixture::Setup setup;
    setup.asnames = false;
    setup.extra_args = {"--metrics-listen", "127.0.0.1:" + std::to_string(port),
                        "--asnames",        (names_dir / "asnames.json").string(),
                        "--history-step",   "1"};
    setup.extra_args.insert(setup.extra_args.end(), more_args.begin(), more_args.end());
    d = std::make_unique<DaemonFixture>(setup);
    std::string lines;
    for (int i = 0; i < 30; ++i) lines += "192.0.2.7\n";
    for (int i = 0; i < 12; ++i) lines += "198.51.100.9\n";
    lines += "203.0.113.1\n";
    d->write_fifo(lines);
    REQUIRE(d->wait_for_hits(43) == 43);
  }
};

}  // namespace

TEST_CASE("/api/top?window=60 answers what asncounterctl --json top --window 60s does",
          "[web][integration]") {
  ApiDaemon w;
  auto a = http_get(w.port, "/api/top?window=60");
  REQUIRE(a.status == 200);
  CHECK(a.headers["content-type"] == "application/json");
  auto ctl = w.d->ctl("--json top --window 60s");
  REQUIRE(ctl.status == 0);
  json web = json::parse(a.body), sock = json::parse(ctl.out);
  // The window's ends are read at each call's own moment; the rest is equal.
  REQUIRE(web.contains("window"));
  CHECK(web["window"]["seconds"] == 60);
  web.erase("window");
  sock.erase("window");
  CHECK(web == sock);
  CHECK(web["rows"][0]["asn"] == 64496);
  CHECK(web["rows"][0]["count"] == 30);
  // The other read methods the page uses answer too.
  CHECK(http_get(w.port, "/api/prefixes?asn=64496").status == 200);
  CHECK(json::parse(http_get(w.port, "/api/asn?asn=64497&window=60").body)["count"] == 12);
  CHECK(json::parse(http_get(w.port, "/api/stats").body)["totals"]["hits"] == 43);
}

TEST_CASE("/api/decisions answers what asncounterctl --json decisions does, and bans stay off HTTP",
          "[web][integration][mitigate]") {
  // A rule, so mitigation runs in dry-run: the 30 hits of AS64496 cross it.
  ApiDaemon w({"--mitigate", "asn hits over 5s above 20 ban 10m"});
  json web;
  REQUIRE(asncounter::test::eventually(
      [&] {
        auto a = http_get(w.port, "/api/decisions");
        if (a.status != 200) return false;
        web = json::parse(a.body);
        return !web["active"].empty();
      },
      10s));
  auto ctl = w.d->ctl("--json decisions");
  REQUIRE(ctl.status == 0);
  json sock = json::parse(ctl.out);
  // "now" and "remaining" are read at each call's own moment; the rest is equal.
  for (json* j : {&web, &sock}) {
    j->erase("now");
    for (auto& d : (*j)["active"]) d.erase("remaining");
  }
  CHECK(web == sock);
  CHECK(web["mode"] == "dry-run");
  CHECK(web["active"][0]["target"] == "AS64496");
  CHECK(web["active"][0]["dry_run"] == true);
  // Admin methods are not under /api/: no ban or unban over HTTP.
  CHECK(http_get(w.port, "/api/ban?target=AS64497").status == 404);
  CHECK(http_get(w.port, "/api/unban?target=AS64496").status == 404);
  CHECK(http_get(w.port, "/api/reset").status == 404);
}

TEST_CASE("An AS name holding <script> is served as JSON text, never as markup", "[web][adversarial]") {
  ApiDaemon w;
  auto a = http_get(w.port, "/api/top?limit=5");
  REQUIRE(a.status == 200);
  // JSON with a policy that runs nothing, and no sniffing it into HTML.
  CHECK(a.headers["content-type"] == "application/json");
  CHECK(a.headers["x-content-type-options"] == "nosniff");
  CHECK(a.headers["content-security-policy"].find("default-src 'none'") != std::string::npos);
  json top = json::parse(a.body);
  CHECK(top["rows"][1]["name"] == kHostileName);
}

TEST_CASE("series gives per-step hits of the total, one ASN and the top ASNs, over HTTP and asncounterctl",
          "[web][series][integration]") {
  ApiDaemon w;
  // Steps of 1 s: wait until the hits are in closed steps.
  json s;
  for (int i = 0; i < 50; ++i) {
    s = json::parse(http_get(w.port, "/api/series?window=60&limit=2").body);
    std::uint64_t sum = 0;
    for (const auto& v : s["lines"][0]["hits"]) sum += v.get<std::uint64_t>();
    if (sum == 43) break;
    std::this_thread::sleep_for(200ms);
  }
  REQUIRE(s["lines"].size() == 4);  // total, 64496, 64497, other
  CHECK(s["lines"][1]["asn"] == 64496);
  CHECK(s["lines"][3]["series"] == "other");
  std::uint64_t sum = 0;
  for (const auto& v : s["lines"][1]["hits"]) sum += v.get<std::uint64_t>();
  CHECK(sum == 30);
  CHECK(s["steps"].size() == s["lines"][0]["hits"].size());
  auto columns = w.d->ctl("asn 64496 --series --window 60s");
  INFO(columns.out);
  REQUIRE(columns.status == 0);
  CHECK(columns.out.starts_with("time (UTC)\ttotal hits\ttotal bytes\tAS64496 hits\tAS64496 bytes\n"));
  CHECK(columns.out.find("\t30\t0\n") != std::string::npos);  // the step holding the 30 hits
  CHECK(columns.out.find("AS64496: DOC-A, ZZ") != std::string::npos);
}

TEST_CASE("Every metric the Grafana dashboard queries is in a live /metrics", "[web][metrics][integration]") {
  std::ifstream in(std::string(ASNCOUNTER_SOURCE_DIR) + "/etc/grafana/asncounter.json");
  REQUIRE(in);
  json dashboard = json::parse(in);
  std::set<std::string> queried;
  std::regex name(R"(\basncounter_[a-z0-9_]+)");
  auto collect = [&](const auto& self, const json& v) -> void {
    if (v.is_object()) {
      for (const auto& [key, child] : v.items()) {
        if ((key == "expr" || key == "query") && child.is_string()) {
          std::string text = child.template get<std::string>();
          for (std::sregex_iterator it(text.begin(), text.end(), name), end; it != end; ++it)
            queried.insert(it->str());
        } else {
          self(self, child);
        }
      }
    } else if (v.is_array()) {
      for (const auto& child : v) self(self, child);
    }
  };
  collect(collect, dashboard);
  REQUIRE(queried.size() >= 5);

  // A live daemon whose table has a dump time (for the table's age), an
  // input that can drop packets (a flow socket) and counts.
  ApiDaemon w({"--input", "netflow:127.0.0.1:" + std::to_string(asncounter::test::free_tcp_port())});
  // The fixture's table again (a smaller one would be refused), with a dump time.
  std::vector<asncounter::Route> routes;
  for (auto [text, asn] : {std::pair{"192.0.2.0/24", 64496U},
                           {"198.51.100.0/24", 64497U},
                           {"203.0.113.0/25", 64498U},
                           {"203.0.113.128/25", 64498U},
                           {"2001:db8::/32", 64499U},
                           {"2001:db8:1::/48", 64500U}})
    routes.push_back(asncounter::Route{*asncounter::parse_prefix(text), asn});
  REQUIRE(asncounter::write_ipasn(w.d->db().string(), routes,
                                  {asncounter::dump_time_comment(std::time(nullptr) - 3600)}));
  REQUIRE(w.d->ctl("refresh").status == 0);
  std::string metrics;
  for (int i = 0; i < 50 && metrics.find("asncounter_table_age_seconds ") == std::string::npos; ++i) {
    std::this_thread::sleep_for(100ms);
    metrics = http_get(w.port, "/metrics").body;
  }
  for (const auto& metric : queried) {
    INFO(metric);
    CHECK(std::regex_search(metrics, std::regex("\n" + metric + "[{ ]")));
  }
}
