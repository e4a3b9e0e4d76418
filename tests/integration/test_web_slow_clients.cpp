// The daemon's HTTP port under slow and idle clients (issue 27, "Metrics
// slowloris"; issue 24, "a slow client never stalls"): scrapes and the
// control socket keep answering within a second. On prometheus-cpp's
// civetweb exposer (4 workers, 3 s request timeout) 16 dripping clients made
// scrapes take 9 s or time out.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <thread>

#include "tests/integration/daemon_fixture.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/sanitizer_bounds.hpp"

using asncounter::test::DaemonFixture;
using asncounter::test::http_get;
using asncounter::test::SlowClients;
using namespace std::chrono_literals;

namespace {

struct WebDaemon {
  int port = asncounter::test::free_tcp_port();
  DaemonFixture d{[this] {
    DaemonFixture::Setup setup;
    setup.extra_args = {"--metrics-listen", "127.0.0.1:" + std::to_string(port)};
    return setup;
  }()};
  WebDaemon() {
    std::string lines;
    for (int i = 0; i < 42; ++i) lines += "192.0.2.7\n";
    d.write_fifo(lines);
    REQUIRE(d.wait_for_hits(42) == 42);
  }
};

// Scrapes every 250 ms for `length`, each from 127.0.0.1; every one must be a
// whole answer within `bound`. Returns the slowest.
std::chrono::milliseconds scrape_for(int port, std::chrono::milliseconds length,
                                     std::chrono::milliseconds bound,
                                     const std::function<void()>& also = {}) {
  std::chrono::milliseconds slowest{};
  auto end = std::chrono::steady_clock::now() + length;
  int scrapes = 0;
  while (std::chrono::steady_clock::now() < end) {
    auto a = http_get(port, "/metrics", 3s, "127.0.0.1");
    ++scrapes;
    INFO("scrape " << scrapes << " took " << a.elapsed.count() << " ms, status " << a.status);
    CHECK(a.status == 200);
    CHECK(a.body.find("\nasncounter_hits_total 42\n") != std::string::npos);
    CHECK(a.elapsed < bound);
    slowest = std::max(slowest, a.elapsed);
    if (also) also();
    std::this_thread::sleep_for(250ms);
  }
  return slowest;
}

}  // namespace

TEST_CASE("32 slowloris clients leave every scrape under 1 s", "[web][metrics][adversarial]") {
  WebDaemon w;
  // Half a request, a byte every 0.5 s, a new connection when cut off; from
  // eight addresses, so that neither the per-address bound alone nor the
  // total alone is what keeps the scrapes going.
  SlowClients slow(w.port, 32, 8, 500ms);
  std::this_thread::sleep_for(300ms);
  // Longer than the request deadline (5 s): the clients are cut off and
  // come back while we scrape.
  auto slowest = scrape_for(w.port, 7s, asncounter::test::time_bound(1000ms));
  WARN("slowest scrape under 32 slowloris clients: " << slowest.count()
                                                     << " ms; connections made: " << slow.connections());
  CHECK(slow.connections() > 32);  // they were cut off and came back
}

TEST_CASE("64 slow or idle HTTP clients leave /metrics and the control socket answering within 1 s",
          "[web][metrics][adversarial]") {
  WebDaemon w;
  SlowClients idle(w.port, 32, 8, 0ms);
  SlowClients slow(w.port, 32, 8, 500ms);
  std::this_thread::sleep_for(300ms);
  auto bound = asncounter::test::time_bound(1000ms);
  std::chrono::milliseconds slowest_call{};
  auto slowest = scrape_for(w.port, 3s, bound, [&] {
    auto start = std::chrono::steady_clock::now();
    auto answer = w.d.call(R"({"jsonrpc":"2.0","id":1,"method":"top","params":{"limit":3}})");
    auto took =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    CHECK(answer.find(R"("count":42)") != std::string::npos);
    CHECK(took < bound);
    slowest_call = std::max(slowest_call, took);
  });
  WARN("slowest scrape " << slowest.count() << " ms, slowest control call " << slowest_call.count() << " ms");
}
