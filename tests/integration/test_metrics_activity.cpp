// The real daemon's per-ASN series follow activity (DESIGN.md "Time: since
// start, and now"), and on every scrape they sum to the totals.
#include <catch2/catch.hpp>

#include <csignal>
#include <map>
#include <sstream>
#include <string>
#include <thread>

#include "daemon/refresh/http_fetch.hpp"
#include "tests/integration/daemon_fixture.hpp"

using asncounter::test::DaemonFixture;

namespace {

struct Scrape {
  std::map<std::string, double> hits, bytes;  ///< asn label -> value
  double hits_total = -1, bytes_total = -1;
};

// The `asn` label of a sample line, or "" when it has none.
std::string asn_of(const std::string& line) {
  auto at = line.find("asn=\"");
  if (at == std::string::npos) return "";
  at += 5;
  return line.substr(at, line.find('"', at) - at);
}

double value_of(const std::string& line) { return std::stod(line.substr(line.rfind(' ') + 1)); }

/// Scrapes /metrics and checks that the per-ASN series and other sum to the totals.
Scrape scrape(int port) {
  asncounter::FetchLimits limits;
  limits.total_timeout_s = 10;
  auto body = asncounter::fetch_to_string("http://127.0.0.1:" + std::to_string(port) + "/metrics", limits);
  REQUIRE(body.ok());
  Scrape s;
  std::istringstream in(*body);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("asncounter_asn_hits_total{", 0) == 0) s.hits[asn_of(line)] = value_of(line);
    if (line.rfind("asncounter_asn_bytes_total{", 0) == 0) s.bytes[asn_of(line)] = value_of(line);
    if (line.rfind("asncounter_hits_total ", 0) == 0) s.hits_total = value_of(line);
    if (line.rfind("asncounter_bytes_total ", 0) == 0) s.bytes_total = value_of(line);
  }
  double hits = 0, bytes = 0;
  for (const auto& [asn, v] : s.hits) hits += v;
  for (const auto& [asn, v] : s.bytes) bytes += v;
  INFO(*body);
  CHECK(s.hits.count("other") == 1);
  CHECK(hits == s.hits_total);
  CHECK(bytes == s.bytes_total);
  return s;
}

std::string lines(const std::string& addr, int n, int bytes) {
  std::string out;
  for (int i = 0; i < n; ++i) out += addr + " " + std::to_string(bytes) + "\n";
  return out;
}

}  // namespace

TEST_CASE("The daemon's per-ASN series follow the ASNs active now and sum to the totals",
          "[metrics][integration]") {
  int port = asncounter::test::free_tcp_port();
  DaemonFixture::Setup setup;
  // A window shorter than a step: only the step in progress counts, so the
  // old heavy ASN leaves at the next step close (history-step, 10 s).
  setup.extra_args = {"--metrics-listen",   "127.0.0.1:" + std::to_string(port),
                      "--metrics-top-asns", "2",
                      "--metrics-window",   "1",
                      "--input-format",     "field:1,bytes:2"};
  DaemonFixture d(setup);
  d.write_fifo(lines("192.0.2.7", 3000, 10) + lines("198.51.100.7", 20, 20) + lines("10.9.9.9", 5, 30));
  REQUIRE(d.wait_for_hits(3025) == 3025);
  auto first = scrape(port);
  CHECK(first.hits["64496"] == 3000);
  CHECK(first.hits["64497"] == 20);
  CHECK(first.hits["other"] == 5);  // unrouted, third most active
  CHECK(first.bytes_total == 3000 * 10 + 20 * 20 + 5 * 30);

  // Scrape (checking every one) until the step holding 64496's hits closes.
  Scrape quiet = first;
  for (int i = 0; i < 300 && quiet.hits.count("64496"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    quiet = scrape(port);
  }
  REQUIRE(quiet.hits.count("64496") == 0);
  CHECK(quiet.hits["other"] == 3025);  // nobody active now: everything in other

  // A new ASN, now the most active, has its series at the next scrape. A
  // step may close between feeding and scraping; then feed once more.
  std::uint64_t fed = 3025;
  Scrape next;
  for (int attempt = 0; attempt < 3; ++attempt) {
    d.write_fifo(lines("203.0.113.7", 50, 100) + lines("198.51.100.7", 1, 20));
    fed += 51;
    REQUIRE(d.wait_for_hits(fed) == fed);
    next = scrape(port);
    if (next.hits.count("64498")) break;
  }
  CHECK(next.hits.count("64498") == 1);
  CHECK(next.hits.count("64497") == 1);
  CHECK(next.hits.count("64496") == 0);
  CHECK(next.hits["other"] >= 3000);  // the old heavy one, quiet now
  CHECK(d.stop(SIGTERM) == 0);
}
