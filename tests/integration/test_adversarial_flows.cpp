// Hostile flow datagrams against the REAL daemon over loopback UDP (issue
// 27): ten sFlow samples claiming 1 in 4,294,967,295 (43 billion hits from
// one datagram before), and IPFIX records claiming 2^64 packets (20.8 s of
// the flow thread each before, and a SIGTERM that waited for them).
#include <unistd.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/ip.hpp"
#include "tests/integration/daemon_fixture.hpp"
#include "tests/support/sanitizer_bounds.hpp"
#include "tests/support/udp.hpp"
#include "tests/tools/flow_writer.hpp"

namespace {

using asncounter::test::DaemonFixture;
using asncounter::test::FlowSpec;
using asncounter::test::SflowSample;
using asncounter::test::TemplateMessage;
using nlohmann::json;
using Bytes = std::vector<std::uint8_t>;

const asncounter::Address kSrc = *asncounter::parse_address("192.0.2.33");
const asncounter::Address kDst = *asncounter::parse_address("198.51.100.7");

json flow_input(const DaemonFixture& d) {
  const auto r = d.ctl("--json stats");
  REQUIRE(r.status == 0);
  const json stats = json::parse(r.out);
  for (const auto& in : stats["inputs"])
    if (in["spec"].get<std::string>().find("flow:") != std::string::npos) return in;
  FAIL("no flow input in stats: " << stats.dump());
  return {};
}

/// Polls stats until the flow input's exporters have seen `datagrams` (bounded wait).
json wait_for_datagrams(const DaemonFixture& d, std::uint64_t datagrams) {
  json in;
  for (int i = 0; i < 100; ++i) {
    in = flow_input(d);
    std::uint64_t seen = 0;
    for (const auto& e : in["exporters"]) seen += e["datagrams"].get<std::uint64_t>();
    if (seen >= datagrams) break;
    ::usleep(100000);
  }
  return in;
}

std::uint64_t reason(const json& in, const char* name) {
  REQUIRE(in["exporters"].size() == 1);
  const json& r = in["exporters"][0]["rejected"];
  return r.contains(name) ? r[name].get<std::uint64_t>() : 0;
}

}  // namespace

TEST_CASE("sflow input: ten samples claiming 1 in 4,294,967,295 add nothing, refused and counted",
          "[flow][integration][adversarial]") {
  const std::uint16_t port = asncounter::test::free_udp_port();
  DaemonFixture::Setup setup;
  // No flow-exporters: this host only, which is where the test sends from.
  setup.extra_args = {"--input", "sflow:[::]:" + std::to_string(port)};
  DaemonFixture d(setup);
  std::vector<SflowSample> samples(10);
  for (auto& s : samples) {
    s.kind = SflowSample::Kind::sampled_ipv4;
    s.flow = FlowSpec{kSrc, kDst, 1, 1500};
    s.rate = UINT32_MAX;
  }
  const auto agent = *asncounter::parse_address("127.0.0.1");
  REQUIRE(asncounter::test::send_udp(false, port, asncounter::test::sflow_v5(agent, 1, samples)));
  const json in = wait_for_datagrams(d, 1);
  INFO(in.dump());
  CHECK(reason(in, "sampling-too-high") == 10);
  CHECK(in["exporters"][0]["records"] == 0);
  CHECK(in["events"] == 0);
  const json top = json::parse(d.ctl("--json top").out);
  INFO(top.dump());
  CHECK(top["total"] == 0);
}

TEST_CASE("netflow input: records claiming 2^64 packets are refused at once, and a stop is prompt",
          "[flow][integration][adversarial]") {
  const std::uint16_t port = asncounter::test::free_udp_port();
  DaemonFixture::Setup setup;
  setup.extra_args = {"--input", "netflow:[::]:" + std::to_string(port)};
  DaemonFixture d(setup);
  Bytes records;
  asncounter::test::append_flow_record(records, FlowSpec{kSrc, kDst, 10, 1000});
  REQUIRE(
      asncounter::test::send_udp(false, port,
                                 TemplateMessage(10, 0, 0)
                                     .add_template(256, asncounter::test::flow_fields(asncounter::Family::v4))
                                     .add_data(256, records)
                                     .finish()));
  Bytes huge;
  for (int i = 0; i < 100; ++i)
    asncounter::test::append_flow_record(huge,
                                         FlowSpec{kSrc, kDst, UINT64_MAX - static_cast<std::uint64_t>(i), 1});
  REQUIRE(asncounter::test::send_udp(false, port, TemplateMessage(10, 1, 0).add_data(256, huge).finish()));
  const json in = wait_for_datagrams(d, 2);
  INFO(in.dump());
  CHECK(reason(in, "packets-too-high") == 100);
  CHECK(in["exporters"][0]["records"] == 1);
  CHECK(in["events"] == 1);
  const auto start = std::chrono::steady_clock::now();
  CHECK(d.stop(SIGTERM) == 0);
  CHECK(std::chrono::steady_clock::now() - start < asncounter::test::time_bound(std::chrono::seconds(5)));
}
