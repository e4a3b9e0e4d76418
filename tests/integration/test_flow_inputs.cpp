// The flow inputs in the REAL daemon, fed by real exporters: softflowd
// replays a capture as NetFlow v5, v9 and IPFIX into `--input netflow:`, and
// the per-ASN counts must be what `--input pcap-file:` counts for the same
// capture; hostile datagrams over real UDP are rejected with their reason.

#include <netinet/in.h>
#include <sys/socket.h>
#include <catch2/catch.hpp>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "daemon/input/fd_util.hpp"
#include "tests/integration/daemon_fixture.hpp"
#include "tests/tools/sample_pcap.hpp"

namespace {

using asncounter::test::DaemonFixture;
using nlohmann::json;
using Bytes = std::vector<std::uint8_t>;

// A UDP port free on loopback right now.
std::uint16_t free_udp_port() {
  asncounter::UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  REQUIRE(fd);
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd.get(), reinterpret_cast<const sockaddr*>(&in), sizeof in) == 0);
  socklen_t len = sizeof in;
  REQUIRE(::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&in), &len) == 0);
  return ntohs(in.sin_port);
}

void send_udp(bool v6, std::uint16_t port, const Bytes& payload) {
  asncounter::UniqueFd fd(::socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  REQUIRE(fd);
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (v6) {
    auto& in6 = reinterpret_cast<sockaddr_in6&>(ss);
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(port);
    in6.sin6_addr = in6addr_loopback;
    len = sizeof in6;
  } else {
    auto& in = reinterpret_cast<sockaddr_in&>(ss);
    in.sin_family = AF_INET;
    in.sin_port = htons(port);
    in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    len = sizeof in;
  }
  REQUIRE(::sendto(fd.get(), payload.data(), payload.size(), 0, reinterpret_cast<const sockaddr*>(&ss),
                   len) == static_cast<ssize_t>(payload.size()));
}

json ctl_json(const DaemonFixture& d, const std::string& args) {
  const auto r = d.ctl(args);
  REQUIRE(r.status == 0);
  return json::parse(r.out);
}

json flow_input(const DaemonFixture& d) {
  const json stats = ctl_json(d, "--json stats");  // kept: a loop over a temporary's member would dangle
  for (const auto& in : stats["inputs"])
    if (in["spec"].get<std::string>().starts_with("netflow:") ||
        in["spec"].get<std::string>().starts_with("sflow:"))
      return in;
  FAIL("no flow input in stats: " << stats.dump());
  return {};
}

// Polls stats until the flow input has seen `datagrams` datagrams in all (bounded wait).
json wait_for_datagrams(const DaemonFixture& d, std::uint64_t datagrams) {
  json in;
  for (int i = 0; i < 100; ++i) {
    in = flow_input(d);
    std::uint64_t seen = in["refused"].get<std::uint64_t>();
    for (const auto& e : in["exporters"]) seen += e["datagrams"].get<std::uint64_t>();
    if (seen >= datagrams) break;
    ::usleep(100000);
  }
  return in;
}

// Replays `pcap` with softflowd to 127.0.0.1:port; returns softflowd's exit status.
int softflowd_replay(const asncounter::test::TempDir& dir, const std::string& pcap, std::uint64_t packets,
                     std::uint16_t port, int version, unsigned sampling) {
  const std::string ctl = (dir / "softflowd.ctl").string();
  // With -r, softflowd reads the file, then waits on its control socket:
  // once every packet is processed, "shutdown" exports all its flows at once.
  const std::string cmd =
      "softflowd -d -m 1000000 -r " + pcap + " -n 127.0.0.1:" + std::to_string(port) + " -v " +
      std::to_string(version) + (version == 5 ? "" : " -6") +
      (sampling > 1 ? " -s " + std::to_string(sampling) : "") + " -p " + (dir / "softflowd.pid").string() +
      " -c " + ctl + " >" + (dir / "softflowd.log").string() +
      " 2>&1 & pid=$!; for i in $(seq 600); do softflowctl -c " + ctl +
      " statistics 2>/dev/null | grep -q 'Packets processed: " + std::to_string(packets) +
      "$' && break; sleep 0.1; done; softflowctl -c " + ctl + " shutdown >/dev/null; wait $pid";
  return asncounter::test::run_command(cmd).status;
}

// The per-ASN and per-prefix answers, without what differs by input.
json counts(const DaemonFixture& d) {
  return {{"top", ctl_json(d, "--json top --limit 1000")},
          {"prefixes", ctl_json(d, "--json prefixes --limit 1000")}};
}

}  // namespace

TEST_CASE("netflow input: softflowd v5, v9 and IPFIX give the per-ASN counts of the pcap-file input",
          "[flow][integration][softflowd]") {
  if (!asncounter::test::have_program("softflowd"))
    ASNCOUNTER_SKIP("softflowd is not installed (scripts/bootstrap)");
  const int version = GENERATE(5, 9, 10);
  INFO("netflow version " << version);

  DaemonFixture reference;  // counts the capture itself
  asncounter::test::SamplePcapOptions po;
  po.packets = 20000;
  po.v6_share = version == 5 ? 0.0 : 0.2;  // v5 has no IPv6 records
  po.seed = 15;
  po.table = reference.db().string();
  const std::string pcap = (reference.dir() / "sample.pcap").string();
  const auto summary = asncounter::test::write_sample_pcap(pcap, po);
  REQUIRE(summary);
  REQUIRE(reference.ctl("stats").status == 0);

  // The reference daemon replays the file; the flow daemon receives softflowd.
  DaemonFixture::Setup pcap_setup;
  pcap_setup.extra_args = {"--input", "pcap-file:" + pcap};
  DaemonFixture by_pcap(pcap_setup);
  REQUIRE(by_pcap.wait_for_hits(summary->packets) == summary->packets);

  const std::uint16_t port = free_udp_port();
  DaemonFixture::Setup flow_setup;
  flow_setup.extra_args = {"--input", "netflow:127.0.0.1:" + std::to_string(port)};
  DaemonFixture by_flow(flow_setup);
  REQUIRE(softflowd_replay(by_flow.dir(), pcap, summary->packets, port, version, 1) == 0);
  REQUIRE(by_flow.wait_for_hits(summary->packets) == summary->packets);

  const json in = flow_input(by_flow);
  CHECK(in["capture_drops"] == 0);
  CHECK(in["rejected"] == 0);
  REQUIRE(in["exporters"].size() == 1);
  CHECK(in["exporters"][0]["exporter"] == "127.0.0.1");
  CHECK(in["exporters"][0]["no_template"] == 0);
  CHECK(counts(by_flow) == counts(by_pcap));
}

TEST_CASE("netflow input: softflowd -s N sampling scales every count by N",
          "[.][flow][integration][softflowd]") {
  if (!asncounter::test::have_program("softflowd"))
    ASNCOUNTER_SKIP("softflowd is not installed (scripts/bootstrap)");
  const int version = GENERATE(9, 10);
  INFO("netflow version " << version);
  constexpr unsigned kRate = 10;
  DaemonFixture::Setup unsampled_setup;
  const std::uint16_t port1 = free_udp_port();
  unsampled_setup.extra_args = {"--input", "netflow:127.0.0.1:" + std::to_string(port1), "--flow-sampling",
                                "1"};
  DaemonFixture unsampled(unsampled_setup);
  asncounter::test::SamplePcapOptions po;
  po.packets = 20000;
  po.seed = 16;
  po.table = unsampled.db().string();
  const std::string pcap = (unsampled.dir() / "sample.pcap").string();
  const auto summary = asncounter::test::write_sample_pcap(pcap, po);
  REQUIRE(summary);

  // The same sampled export twice: once counted with the rate the exporter
  // reports (or the fallback when it reports none), once with rate 1.
  DaemonFixture::Setup sampled_setup;
  const std::uint16_t port2 = free_udp_port();
  sampled_setup.extra_args = {"--input", "netflow:127.0.0.1:" + std::to_string(port2), "--flow-sampling",
                              std::to_string(kRate)};
  DaemonFixture sampled(sampled_setup);
  REQUIRE(softflowd_replay(unsampled.dir(), pcap, summary->packets, port1, version, kRate) == 0);
  REQUIRE(softflowd_replay(sampled.dir(), pcap, summary->packets, port2, version, kRate) == 0);
  const json in1 = wait_for_datagrams(unsampled, 1);
  const json in2 = wait_for_datagrams(sampled, in1["exporters"][0]["datagrams"].get<std::uint64_t>());
  const json base = ctl_json(unsampled, "--json top --limit 1000");
  const json scaled = ctl_json(sampled, "--json top --limit 1000");
  const std::uint64_t rate_seen = in1["exporters"][0]["sampling_rate"].get<std::uint64_t>();
  INFO("softflowd reported sampling rate " << rate_seen);
  REQUIRE(base["rows"].size() == scaled["rows"].size());
  REQUIRE(!base["rows"].empty());
  for (std::size_t i = 0; i < base["rows"].size(); ++i) {
    const auto b = base["rows"][i], s = scaled["rows"][i];
    CHECK(b["asn"] == s["asn"]);
    // When softflowd reports its rate both daemons scale by it; when it does not, only the fallback does.
    const std::uint64_t factor = rate_seen != 0 ? 1 : kRate;
    CHECK(s["hits"].get<std::uint64_t>() == factor * b["hits"].get<std::uint64_t>());
    CHECK(s["bytes"].get<std::uint64_t>() == factor * b["bytes"].get<std::uint64_t>());
  }
}

namespace {

// An IPFIX message: header (version 10, length, time, sequence, domain 1) and one template set.
Bytes ipfix_template(std::uint16_t fields, std::uint16_t set_length) {
  Bytes b = {0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2};
  b.push_back(static_cast<std::uint8_t>(set_length >> 8));
  b.push_back(static_cast<std::uint8_t>(set_length));
  b.push_back(1);
  b.push_back(0);
  b.push_back(static_cast<std::uint8_t>(fields >> 8));
  b.push_back(static_cast<std::uint8_t>(fields & 0xff));
  b[2] = static_cast<std::uint8_t>(b.size() >> 8);
  b[3] = static_cast<std::uint8_t>(b.size());
  return b;
}

}  // namespace

TEST_CASE("netflow input: hostile datagrams over UDP are rejected with their reason, outsiders refused",
          "[flow][integration][adversarial]") {
  const std::uint16_t port = free_udp_port();
  DaemonFixture::Setup setup;
  setup.extra_args = {"--input", "netflow:[::]:" + std::to_string(port), "--flow-exporters", "127.0.0.1/32"};
  DaemonFixture d(setup);
  const std::vector<Bytes> hostile = {
      {0},                              // truncated inside the version
      {0, 5, 0, 30},                    // v5 claiming 30 records, header cut short
      {0, 9, 0, 1, 0, 0, 0, 0},         // v9 header cut short
      {0, 10, 0xff, 0xff, 0, 0, 0, 0},  // IPFIX whose length lies
      ipfix_template(0, 8),             // 0 fields: in IPFIX a withdrawal (RFC 7011 8.1), not rejected
      ipfix_template(65535, 8),         // a template with 65,535 fields and no room for them
      {0, 42, 0, 0},                    // no such version
  };
  for (const auto& h : hostile) send_udp(false, port, h);
  send_udp(true, port, {0, 5});  // from ::1, outside flow-exporters
  const json in = wait_for_datagrams(d, hostile.size() + 1);
  INFO(in.dump());
  CHECK(in["refused"] == 1);
  // Every hostile datagram but the withdrawal, and the outsider.
  CHECK(in["rejected"] == hostile.size());
  REQUIRE(in["exporters"].size() == 1);
  std::uint64_t by_reason = 0;
  for (const auto& [reason, n] : in["exporters"][0]["rejected"].items()) by_reason += n.get<std::uint64_t>();
  CHECK(by_reason == hostile.size() - 1);
  CHECK(in["exporters"][0]["rejected"].contains("bad-template"));
  CHECK(in["exporters"][0]["rejected"].contains("truncated"));
  CHECK(in["exporters"][0]["rejected"].contains("bad-version"));
  CHECK(in["events"] == 0);
  CHECK(d.ctl("stats").status == 0);  // still serving
}
