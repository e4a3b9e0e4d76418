#include <catch2/catch.hpp>

#include <prometheus/metric_family.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <vector>

#include "daemon/metrics/metrics_collector.hpp"
#include "daemon/refresh/http_fetch.hpp"
#include "daemon/web/metrics_exporter.hpp"
#include "tests/support/held_port.hpp"

using asncounter::MetricsExporter;
using asncounter::MetricsSnapshot;

namespace {

MetricsSnapshot sample_snapshot() {
  MetricsSnapshot s;
  s.top_asns.total = {18433, 900, 0, 0};
  s.top_asns.rows.push_back({64496U, {12779, 800, 0, 0}});
  s.top_asns.rows.push_back({std::nullopt, {3361, 100, 0, 0}});
  s.top_asn_names = {"SAMPLE, CA", ""};
  asncounter::InputCounters fifo;
  fifo.events = 18433;
  fifo.rejected = 7;
  s.inputs.push_back({"fifo:/run/asncounter/log", fifo});
  s.table_v4_prefixes = 512621;
  s.table_v6_prefixes = 27693;
  s.table_dump_time = 1400824800;
  s.now = 1400828400;
  s.refresh_failures = 2;
  s.rpc_requests["top"] = 5;
  s.start_time = 1400820000;
  return s;
}

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

}  // namespace

TEST_CASE("A scrape over real HTTP shows the snapshot's values", "[metrics]") {
  int scrapes = 0;
  auto exporter = MetricsExporter::start("127.0.0.1:0", [&] {
    ++scrapes;
    return sample_snapshot();
  });
  REQUIRE(exporter.ok());
  int port = (*exporter)->port();
  REQUIRE(port > 0);
  asncounter::FetchLimits limits;
  limits.total_timeout_s = 10;
  auto body = asncounter::fetch_to_string("http://127.0.0.1:" + std::to_string(port) + "/metrics", limits);
  REQUIRE(body.ok());
  const std::string& text = *body;
  CHECK(scrapes == 1);  // snapshotted at scrape time, once
  CHECK(has_line(text, R"(asncounter_asn_hits_total{asn="64496",as_name="SAMPLE, CA"} 12779)"));
  CHECK(has_line(text, R"(asncounter_asn_bytes_total{asn="64496",as_name="SAMPLE, CA"} 800)"));
  CHECK(has_line(text, R"(asncounter_asn_hits_total{asn="None",as_name=""} 3361)"));
  CHECK(has_line(text, "asncounter_hits_total 18433"));
  CHECK(has_line(text, R"(asncounter_input_rejected_total{input="fifo:/run/asncounter/log"} 7)"));
  CHECK(has_line(text, R"(asncounter_table_prefixes{family="ipv4"} 512621)"));
  CHECK(has_line(text, "asncounter_table_age_seconds 3600"));
  CHECK(has_line(text, "asncounter_refresh_failures_total 2"));
  CHECK(has_line(text, R"(asncounter_rpc_requests_total{method="top"} 5)"));
  CHECK(text.find("# TYPE asncounter_hits_total counter") != std::string::npos);
}

TEST_CASE("Only the rows given become per-ASN series (bounded cardinality)", "[metrics]") {
  auto s = sample_snapshot();
  auto families = asncounter::to_metric_families(s);
  for (const auto& f : families)
    if (f.name == "asncounter_asn_hits_total") CHECK(f.metric.size() == s.top_asns.rows.size() + 1);  // other
  s.table_dump_time = 0;  // no table yet: no age series that would claim 1970
  for (const auto& f : asncounter::to_metric_families(s)) CHECK(f.name != "asncounter_table_age_seconds");
}

TEST_CASE("Capture drops and non-IP frames are series of the inputs that have them only", "[metrics]") {
  auto count = [](const MetricsSnapshot& s, const std::string& name) -> std::optional<std::size_t> {
    for (const auto& f : asncounter::to_metric_families(s))
      if (f.name == name) return f.metric.size();
    return std::nullopt;
  };
  auto s = sample_snapshot();
  s.inputs.push_back({"file:/var/log/nginx/access.log", {}});
  s.inputs.push_back({"pcap-file:/tmp/x.pcap", {}});
  // A FIFO, a file and a replayed capture drop nothing: no capture_drops series at all.
  CHECK_FALSE(count(s, "asncounter_capture_drops_total"));
  CHECK(count(s, "asncounter_input_non_ip_total") == 1U);  // the pcap file's frames
  CHECK(count(s, "asncounter_input_events_total") == 3U);
  s.inputs.push_back({"pcap:eth0", {}});
  s.inputs.push_back({"sflow:[::]:6343", {}});
  CHECK(count(s, "asncounter_capture_drops_total") == 2U);
  for (const auto& f : asncounter::to_metric_families(s)) {
    if (f.name != "asncounter_capture_drops_total") continue;
    CHECK(f.metric[0].label[0].value == "pcap:eth0");
    CHECK(f.metric[1].label[0].value == "sflow:[::]:6343");
  }
  CHECK(count(s, "asncounter_input_non_ip_total") == 2U);
}

TEST_CASE("A bad metrics address is an error naming it", "[metrics]") {
  auto exporter = MetricsExporter::start("256.0.0.1:99999", [] { return MetricsSnapshot{}; });
  REQUIRE_FALSE(exporter.ok());
  CHECK(exporter.error().find("256.0.0.1:99999") != std::string::npos);
}

TEST_CASE("A scrape whose snapshot times out shows the last good one, never zeros",
          "[metrics][adversarial]") {
  // The daemon's snapshotter gives nullopt when the io loop does not answer
  // in time; it used to give an empty snapshot, served as 200 with zeros.
  int calls = 0;
  auto exporter = MetricsExporter::start("127.0.0.1:0", [&]() -> std::optional<MetricsSnapshot> {
    if (++calls == 1) return std::nullopt;  // busy before the first good one
    if (calls == 2) return sample_snapshot();
    return std::nullopt;
  });
  REQUIRE(exporter.ok());
  std::string url = "http://127.0.0.1:" + std::to_string((*exporter)->port()) + "/metrics";
  asncounter::FetchLimits limits;
  limits.total_timeout_s = 10;
  auto first = asncounter::fetch_to_string(url, limits);
  REQUIRE(first.ok());
  CHECK(first->find("asncounter_hits_total") == std::string::npos);  // no series rather than zeros
  auto good = asncounter::fetch_to_string(url, limits);
  REQUIRE(good.ok());
  CHECK(has_line(*good, "asncounter_hits_total 18433"));
  auto late = asncounter::fetch_to_string(url, limits);
  REQUIRE(late.ok());
  CHECK(has_line(*late, "asncounter_hits_total 18433"));
  CHECK(has_line(*late, R"(asncounter_table_prefixes{family="ipv4"} 512621)"));
  CHECK(calls == 3);
}

TEST_CASE("Two half-sent HTTP requests do not block a scrape", "[metrics][adversarial]") {
  auto exporter = MetricsExporter::start("127.0.0.1:0", [] { return sample_snapshot(); });
  REQUIRE(exporter.ok());
  int port = (*exporter)->port();
  std::vector<int> stalled;
  for (int i = 0; i < 2; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    std::string half = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n";  // no blank line: never ends
    REQUIRE(::send(fd, half.data(), half.size(), 0) == static_cast<ssize_t>(half.size()));
    stalled.push_back(fd);
  }
  // With civetweb's defaults (2 workers, 30 s request timeout) this waited
  // behind them for 30 s.
  asncounter::FetchLimits limits;
  limits.total_timeout_s = 10;
  auto body = asncounter::fetch_to_string("http://127.0.0.1:" + std::to_string(port) + "/metrics", limits);
  for (int fd : stalled) ::close(fd);
  REQUIRE(body.ok());
  CHECK(has_line(*body, "asncounter_hits_total 18433"));
}

TEST_CASE("A metrics address already in use is an error naming it and the reason", "[metrics][adversarial]") {
  auto held = asncounter::test::hold_loopback_port(SOCK_STREAM);
  REQUIRE(held.fd);
  std::string listen = "127.0.0.1:" + std::to_string(held.port);
  auto exporter = MetricsExporter::start(listen, [] { return MetricsSnapshot{}; });
  held.fd.reset();
  REQUIRE_FALSE(exporter.ok());
  CHECK_THAT(exporter.error(), Catch::Contains(listen) && Catch::Contains("Address already in use"));
}
