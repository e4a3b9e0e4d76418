// A real Prometheus server (Debian's `prometheus`) scrapes the real daemon
// on loopback, and a query of its HTTP API returns our series.
#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>
#include <thread>

#include "daemon/refresh/http_fetch.hpp"
#include "tests/integration/daemon_fixture.hpp"
#include "tests/support/child_process.hpp"

using asncounter::test::ChildProcess;
using asncounter::test::DaemonFixture;
using asncounter::test::TempDir;

TEST_CASE("A real Prometheus server scrapes the daemon and answers a query for our series",
          "[metrics][integration]") {
  if (!asncounter::test::have_program("prometheus"))
    ASNCOUNTER_SKIP("Debian's prometheus package is not installed (scripts/bootstrap installs it)");
  int metrics_port = asncounter::test::free_tcp_port();
  DaemonFixture::Setup setup;
  setup.extra_args = {"--metrics-listen", "127.0.0.1:" + std::to_string(metrics_port)};
  DaemonFixture d(setup);
  std::string lines;
  for (int i = 0; i < 42; ++i) lines += "192.0.2.7\n";
  d.write_fifo(lines);
  REQUIRE(d.wait_for_hits(42) == 42);

  TempDir prom;
  std::ofstream(prom / "prometheus.yml")
      << "global:\n  scrape_interval: 1s\n"
      << "scrape_configs:\n  - job_name: asncounter\n"
      << "    static_configs:\n      - targets: ['127.0.0.1:" << metrics_port << "']\n";
  int api_port = asncounter::test::free_tcp_port();
  std::string api = "127.0.0.1:" + std::to_string(api_port);
  ChildProcess server({"sh", "-c",
                       "exec prometheus --config.file=" + (prom / "prometheus.yml").string() +
                           " --storage.tsdb.path=" + (prom / "data").string() +
                           " --web.listen-address=" + api + " 2>" + (prom / "prometheus.log").string()});

  asncounter::FetchLimits limits;
  limits.connect_timeout_s = 2;
  limits.total_timeout_s = 5;
  std::string query = "http://" + api + "/api/v1/query?query=asncounter_asn_hits_total";
  std::string answer;
  for (int i = 0; i < 120 && answer.find("\"64496\"") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    auto r = asncounter::fetch_to_string(query, limits);
    if (r) answer = *r;
  }
  INFO(answer);
  CHECK(answer.find("\"status\":\"success\"") != std::string::npos);
  CHECK(answer.find(R"("asn":"64496")") != std::string::npos);
  CHECK(answer.find(R"("as_name":"DOC-A, ZZ")") != std::string::npos);
  CHECK(answer.find(R"(,"42"])") != std::string::npos);  // the value Prometheus scraped
  server.stop(SIGTERM);
  CHECK(d.stop(SIGTERM) == 0);
}
