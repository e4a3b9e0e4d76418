// Per-input counts (issue 26): one daemon with a FIFO of requests and a
// NetFlow input; `top --input NAME` of each is exactly its own stream, and
// stats and the metrics show per-input totals that sum to the total. Before,
// the two were summed with no way to tell them apart ("count 600" for 100
// requests and 500 flow packets).
#include <catch2/catch.hpp>

#include <csignal>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "common/ip.hpp"
#include "daemon/refresh/http_fetch.hpp"
#include "tests/integration/daemon_fixture.hpp"
#include "tests/support/polling.hpp"
#include "tests/support/test_support.hpp"
#include "tests/support/udp.hpp"
#include "tests/tools/flow_writer.hpp"

namespace {

using asncounter::test::DaemonFixture;
using nlohmann::json;

std::string lines(int n, const char* address) {
  std::string out;
  for (int i = 0; i < n; ++i) out += std::string(address) + "\n";
  return out;
}

std::string quote(const std::string& s) { return "'" + s + "'"; }

// ASN -> {count, bytes} of a `--json top` answer; REQUIREs that it answered.
std::map<std::uint64_t, std::pair<std::uint64_t, std::uint64_t>> rows_of(
    const asncounter::test::CommandResult& r) {
  REQUIRE(r.status == 0);
  const json doc = json::parse(r.out);
  std::map<std::uint64_t, std::pair<std::uint64_t, std::uint64_t>> out;
  for (const auto& row : doc.at("rows"))
    out[row.at("asn").get<std::uint64_t>()] = {row.at("count").get<std::uint64_t>(),
                                               row.at("bytes").get<std::uint64_t>()};
  return out;
}

// The value of the one sample of `family` with input="NAME" in a /metrics body.
std::uint64_t sample_of(const std::string& body, const std::string& family, const std::string& input) {
  const std::string head = family + "{input=\"" + input + "\"} ";
  auto at = body.find(head);
  if (at == std::string::npos) return UINT64_MAX;
  return std::stoull(body.substr(at + head.size()));
}

std::uint64_t total_of(const std::string& body, const std::string& family) {
  auto at = body.find("\n" + family + " ");
  if (at == std::string::npos) return UINT64_MAX;
  return std::stoull(body.substr(at + family.size() + 2));
}

}  // namespace

TEST_CASE(
    "Two inputs, a FIFO and NetFlow: each one's top is its own stream, and their totals sum to the total",
    "[daemon][input][flow]") {
  const std::uint16_t port = asncounter::test::free_udp_port();
  const int metrics_port = asncounter::test::free_tcp_port();
  DaemonFixture d({.config_text = "",
                   .socket_group = "",
                   .reachable_by_others = false,
                   .extra_args = {"--input", "nf=netflow:127.0.0.1:" + std::to_string(port),
                                  "--metrics-listen", "127.0.0.1:" + std::to_string(metrics_port)}});
  const std::string fifo_name = "fifo:" + d.fifo().string();  // unnamed: named by its spec

  // The FIFO: 100 requests from 64496, 30 from 64497.
  d.write_fifo(lines(100, "192.0.2.1") + lines(30, "198.51.100.7"));
  REQUIRE(d.wait_for_hits(130) == 130);
  // NetFlow v5: 500 packets (50,000 bytes) from 64496, 7 (700 bytes) from 64497.
  using asncounter::test::FlowSpec;
  const auto a = *asncounter::parse_address("192.0.2.9"), b = *asncounter::parse_address("198.51.100.9"),
             us = *asncounter::parse_address("203.0.113.1");
  REQUIRE(asncounter::test::send_udp(
      false, port, asncounter::test::netflow_v5({FlowSpec{a, us, 500, 50000}, FlowSpec{b, us, 7, 700}}, 0)));
  REQUIRE(d.wait_for_hits(130 + 507) == 637);

  using Rows = std::map<std::uint64_t, std::pair<std::uint64_t, std::uint64_t>>;
  CHECK(rows_of(d.ctl("--json top --input " + quote(fifo_name))) ==
        Rows{{64496, {100, 0}}, {64497, {30, 0}}});
  CHECK(rows_of(d.ctl("--json top --input nf")) == Rows{{64496, {500, 50000}}, {64497, {7, 700}}});
  CHECK(rows_of(d.ctl("--json top")) == Rows{{64496, {600, 50000}}, {64497, {37, 700}}});
  // The other answers that take --input.
  auto prefixes = d.ctl("prefixes --input nf");
  REQUIRE(prefixes.status == 0);
  CHECK(prefixes.out.find("500\t") != std::string::npos);
  CHECK(prefixes.out.find("192.0.2.0/24") != std::string::npos);
  auto one = json::parse(d.ctl("--json asn 64497 --input " + quote(fifo_name)).out);
  CHECK(one.at("count") == 30);
  auto blocked = d.ctl("--json block-list --input nf --limit 1 --format cidr");
  REQUIRE(blocked.status == 0);
  CHECK(json::parse(blocked.out).at("prefixes") == json::array({"192.0.2.0/24"}));

  // Without --input, top says the counts mix units; with it, it does not.
  auto mixed = d.ctl("top", "");
  REQUIRE(mixed.status == 0);
  CHECK(mixed.out.find("add up different units (" + fifo_name + " counts lines, nf counts flow packets)") !=
        std::string::npos);
  CHECK(d.ctl("top --input nf").out.find("different units") == std::string::npos);

  // A name no input has: a usage error naming the inputs.
  auto unknown = d.ctl("top --input web");
  CHECK(unknown.status != 0);
  CHECK(unknown.out.find("no input is named 'web'; the inputs: " + fifo_name + ", nf") != std::string::npos);

  // stats: each input's hits and bytes, summing to the totals.
  const json stats = json::parse(d.ctl("--json stats").out);
  std::uint64_t hits = 0, bytes = 0;
  std::map<std::string, std::uint64_t> by_name;
  for (const auto& in : stats.at("inputs")) {
    by_name[in.at("name").get<std::string>()] = in.at("hits").get<std::uint64_t>();
    hits += in.at("hits").get<std::uint64_t>();
    bytes += in.at("bytes").get<std::uint64_t>();
  }
  CHECK(by_name == std::map<std::string, std::uint64_t>{{fifo_name, 130}, {"nf", 507}});
  CHECK(hits == stats.at("totals").at("hits").get<std::uint64_t>());
  CHECK(bytes == stats.at("totals").at("bytes").get<std::uint64_t>());
  CHECK(d.ctl("stats").out.find("nf (netflow:127.0.0.1:" + std::to_string(port) + ")") != std::string::npos);

  // The metrics: asncounter_input_hits_total per input, summing to asncounter_hits_total.
  asncounter::FetchLimits limits;
  auto body =
      asncounter::fetch_to_string("http://127.0.0.1:" + std::to_string(metrics_port) + "/metrics", limits);
  REQUIRE(body);
  CHECK(sample_of(*body, "asncounter_input_hits_total", fifo_name) == 130);
  CHECK(sample_of(*body, "asncounter_input_hits_total", "nf") == 507);
  CHECK(sample_of(*body, "asncounter_input_bytes_total", "nf") == 50700);
  CHECK(total_of(*body, "asncounter_hits_total") == 637);
  CHECK(d.stop(SIGTERM) == 0);
}
