// The flow inputs in the REAL daemon, fed by real exporters: softflowd
// replays a capture as NetFlow v5, v9 and IPFIX into `--input netflow:`, and
// the per-ASN counts must be what `--input pcap-file:` counts for the same
// capture; softflowd's 1-in-N sampling scales them by N; pmacctd's sfprobe
// replays the capture as sFlow into `--input sflow:`; an exporter restart
// loses nothing; hostile datagrams over real UDP are rejected with their
// reason; --once refuses flow inputs.

#include <unistd.h>
#include <catch2/catch.hpp>

#include <cstdint>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "tests/integration/daemon_fixture.hpp"
#include "tests/support/files.hpp"
#include "tests/support/udp.hpp"
#include "tests/tools/pcap_select.hpp"
#include "tests/tools/sample_pcap.hpp"

namespace {

using asncounter::test::DaemonFixture;
using nlohmann::json;
using Bytes = std::vector<std::uint8_t>;

using asncounter::test::free_udp_port;
using asncounter::test::send_udp;

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

// Sends a datagram no decoder takes (version 0 or 42) from 127.0.0.1 and
// waits until the input has rejected it: one socket's datagrams are read and
// counted in order, so whatever an exporter sent before is counted by then.
// Returns the input's stats at that point.
json flush_with_sentinel(const DaemonFixture& d, std::uint16_t port) {
  const std::uint64_t before = flow_input(d)["rejected"].get<std::uint64_t>();
  const Bytes sentinel = {0, 0, 0, 42, 0, 0, 0, 0};
  REQUIRE(send_udp(false, port, sentinel));
  json in;
  for (int i = 0; i < 300; ++i) {
    in = flow_input(d);
    if (in["rejected"].get<std::uint64_t>() > before) return in;
    ::usleep(50000);
  }
  FAIL("the sentinel datagram was never rejected: " << in.dump());
  return in;
}

// Replays `pcap` with softflowd to 127.0.0.1:port; returns softflowd's exit
// status. `processed` is what softflowd counts once it has read the file
// (every packet, or 1 in `sampling`).
int softflowd_replay(const asncounter::test::TempDir& dir, const std::string& pcap, std::uint64_t processed,
                     std::uint16_t port, int version, unsigned sampling) {
  const std::string ctl = (dir / "softflowd.ctl").string();
  // With -r, softflowd reads the file, then waits on its control socket:
  // once every packet is processed, "shutdown" exports all its flows at once.
  // A sampling softflowd may export and leave by itself first.
  const std::string cmd =
      "rm -f " + ctl + "; softflowd -d -m 1000000 -r " + pcap + " -n 127.0.0.1:" + std::to_string(port) +
      " -v " + std::to_string(version) + (version == 5 ? "" : " -6") +
      (sampling > 1 ? " -s " + std::to_string(sampling) : "") + " -p " + (dir / "softflowd.pid").string() +
      " -c " + ctl + " >>" + (dir / "softflowd.log").string() +
      " 2>&1 & pid=$!; for i in $(seq 600); do kill -0 $pid 2>/dev/null || break; softflowctl -c " + ctl +
      " statistics 2>/dev/null | grep -q 'Packets processed: " + std::to_string(processed) +
      "$' && break; sleep 0.1; done; kill -0 $pid 2>/dev/null && softflowctl -c " + ctl +
      " shutdown >/dev/null 2>&1; wait $pid";
  return asncounter::test::run_command(cmd).status;
}

// The per-ASN and per-prefix answers, without what differs by input.
json counts(const DaemonFixture& d) {
  json top = ctl_json(d, "--json top --limit 1000");
  top.erase("mixed_units");  // the fixture's idle FIFO counts lines: which units are summed differs
  return {{"top", top}, {"prefixes", ctl_json(d, "--json prefixes --limit 1000")}};
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
  flush_with_sentinel(by_flow, port);
  REQUIRE(by_flow.wait_for_hits(summary->packets) == summary->packets);

  const json in = flow_input(by_flow);
  CHECK(in["capture_drops"] == 0);
  CHECK(in["rejected"] == 1);  // the sentinel
  REQUIRE(in["exporters"].size() == 1);
  CHECK(in["exporters"][0]["exporter"] == "127.0.0.1");
  CHECK(in["exporters"][0]["no_template"] == 0);
  CHECK(counts(by_flow) == counts(by_pcap));
}

namespace {

// count and bytes by ASN (top) or prefix (prefixes), each multiplied by `factor`.
std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> rows_by(const json& answer, const char* key,
                                                                       std::uint64_t factor) {
  std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> out;
  for (const auto& r : answer["rows"])
    out[r[key].dump()] = {factor * r["count"].get<std::uint64_t>(), factor * r["bytes"].get<std::uint64_t>()};
  return out;
}

}  // namespace

TEST_CASE("netflow input: softflowd -s N sampling scales every count by N, exactly",
          "[flow][integration][softflowd]") {
  if (!asncounter::test::have_program("softflowd"))
    ASNCOUNTER_SKIP("softflowd is not installed (scripts/bootstrap)");
  const int version = GENERATE(5, 9, 10);
  INFO("netflow version " << version);
  constexpr unsigned kRate = 10;

  DaemonFixture::Setup flow_setup;
  const std::uint16_t port = free_udp_port();
  flow_setup.extra_args = {"--input", "netflow:127.0.0.1:" + std::to_string(port)};
  DaemonFixture by_flow(flow_setup);
  asncounter::test::SamplePcapOptions po;
  po.packets = 20000;
  po.v6_share = version == 5 ? 0.0 : 0.2;
  po.seed = 16;
  po.table = by_flow.db().string();
  const std::string pcap = (by_flow.dir() / "sample.pcap").string();
  const auto summary = asncounter::test::write_sample_pcap(pcap, po);
  REQUIRE(summary);

  // softflowd's -s N is periodic: it keeps packets 0, N, 2N, ... of the
  // capture. What it saw is that subset, counted exactly by the pcap-file
  // input; every count the flow input gives must be N times that.
  const std::string kept = (by_flow.dir() / "kept.pcap").string();
  const auto n_kept =
      asncounter::test::select_pcap_records(pcap, kept, [](std::uint64_t i) { return i % kRate == 0; });
  REQUIRE(n_kept);
  DaemonFixture::Setup pcap_setup;
  pcap_setup.extra_args = {"--input", "pcap-file:" + kept};
  DaemonFixture by_pcap(pcap_setup);
  REQUIRE(by_pcap.wait_for_hits(*n_kept) == *n_kept);

  REQUIRE(softflowd_replay(by_flow.dir(), pcap, *n_kept, port, version, kRate) == 0);
  const json in = flush_with_sentinel(by_flow, port);
  INFO(in.dump());
  REQUIRE(in["exporters"].size() == 1);
  const json& e = in["exporters"][0];
  CHECK(e["sampling_rate"] == kRate);  // softflowd reports its rate: no flow-sampling fallback is needed
  // softflowd's sampled IPFIX export shows sequence gaps (6 in 45 datagrams)
  // although every count below is exact: its sequence numbers there do not
  // follow the data records it sends. Checked for v5 and v9 only.
  if (version != 10) CHECK(e["sequence_gaps"] == 0);
  CHECK(e["no_template"] == 0);
  CHECK(in["capture_drops"] == 0);
  CHECK(by_flow.wait_for_hits(kRate * *n_kept) == kRate * *n_kept);

  const json flow_top = ctl_json(by_flow, "--json top --limit 100000");
  const json pcap_top = ctl_json(by_pcap, "--json top --limit 100000");
  REQUIRE(!pcap_top["rows"].empty());
  CHECK(rows_by(flow_top, "asn", 1) == rows_by(pcap_top, "asn", kRate));
  CHECK(flow_top["total_bytes"].get<std::uint64_t>() == kRate * pcap_top["total_bytes"].get<std::uint64_t>());
  const json flow_prefixes = ctl_json(by_flow, "--json prefixes --limit 100000");
  const json pcap_prefixes = ctl_json(by_pcap, "--json prefixes --limit 100000");
  CHECK(rows_by(flow_prefixes, "prefix", 1) == rows_by(pcap_prefixes, "prefix", kRate));
}

TEST_CASE("sflow input: pmacctd's sfprobe replays a capture as sFlow, counted like the capture it sent",
          "[flow][integration][pmacct]") {
  if (!asncounter::test::have_program("pmacctd"))
    ASNCOUNTER_SKIP("pmacctd is not installed (scripts/bootstrap)");
  DaemonFixture::Setup flow_setup;
  const std::uint16_t port = free_udp_port();
  flow_setup.extra_args = {"--input", "sflow:127.0.0.1:" + std::to_string(port)};
  DaemonFixture by_flow(flow_setup);
  asncounter::test::SamplePcapOptions po;
  po.packets = 20000;
  po.seed = 17;
  po.table = by_flow.db().string();
  const std::string pcap = (by_flow.dir() / "sample.pcap").string();
  const auto summary = asncounter::test::write_sample_pcap(pcap, po);
  REQUIRE(summary);

  // Sampling 1: every packet becomes a flow sample with its header.
  const std::string conf = (by_flow.dir() / "pmacctd.conf").string();
  std::ofstream(conf) << "daemonize: false\npcap_savefile: " << pcap
                      << "\nplugins: sfprobe\nsfprobe_receiver: 127.0.0.1:" << port
                      << "\nsfprobe_agentip: 127.0.0.1\nsfprobe_sampling_rate: 1\n";
  const std::string log = (by_flow.dir() / "pmacctd.log").string();
  // pmacctd reads the file to its end and exits by itself: with 0, or, one
  // run in six here, with 1 when its core sees the sfprobe plugin end
  // before it ends itself ("no more plugins active"; the samples are sent
  // by then). Anything else (a bad configuration, a crash) fails here.
  const int pmacctd =
      asncounter::test::run_command("timeout 120 pmacctd -f " + conf + " >" + log + " 2>&1").status;
  const std::string said = asncounter::test::read_text(log);
  INFO("pmacctd's output: " << said);
  REQUIRE((pmacctd == 0 || (pmacctd == 1 && said.find("no more plugins active") != std::string::npos)));
  const json in = flush_with_sentinel(by_flow, port);
  INFO(in.dump());
  REQUIRE(in["exporters"].size() == 1);
  const json& e = in["exporters"][0];
  CHECK(e["sequence_gaps"] == 0);  // nothing lost between pmacctd and the daemon
  CHECK(in["capture_drops"] == 0);
  CHECK(e["sampling_rate"] == 1);

  // The loss the test measures: pmacctd's sfprobe fills a datagram with
  // samples and sends it when full; at the end of the file it stops with the
  // last, unfilled one unsent. So the samples received are the capture's
  // first `received` packets, and about one datagram's worth at most is
  // missing. sfprobe fills datagrams by bytes, so the samples per datagram
  // vary around their mean (9 in one run, with 9 lost): bound by twice it.
  const std::uint64_t received = in["events"].get<std::uint64_t>();
  const std::uint64_t datagrams = e["datagrams"].get<std::uint64_t>() - 1;  // less the sentinel
  REQUIRE(datagrams > 0);
  const std::uint64_t per_datagram = (received + datagrams - 1) / datagrams;
  const std::uint64_t lost = summary->packets - received;
  UNSCOPED_INFO("pmacctd sfprobe: " << received << " of " << summary->packets << " packets in " << datagrams
                                    << " datagrams, " << lost << " lost");
  CHECK(lost < 2 * per_datagram);
  const std::string head = (by_flow.dir() / "head.pcap").string();
  REQUIRE(asncounter::test::select_pcap_records(pcap, head, [&](std::uint64_t i) { return i < received; }));
  DaemonFixture::Setup pcap_setup;
  pcap_setup.extra_args = {"--input", "pcap-file:" + head};
  DaemonFixture by_pcap(pcap_setup);
  REQUIRE(by_pcap.wait_for_hits(received) == received);
  CHECK(by_flow.wait_for_hits(received) == received);
  CHECK(counts(by_flow) == counts(by_pcap));
}

TEST_CASE("netflow input: an exporter restart (sequence and templates reset) loses nothing afterwards",
          "[flow][integration][softflowd]") {
  if (!asncounter::test::have_program("softflowd"))
    ASNCOUNTER_SKIP("softflowd is not installed (scripts/bootstrap)");
  const int version = GENERATE(9, 10);
  INFO("netflow version " << version);
  const std::uint16_t port = free_udp_port();
  DaemonFixture::Setup flow_setup;
  flow_setup.extra_args = {"--input", "netflow:127.0.0.1:" + std::to_string(port)};
  DaemonFixture by_flow(flow_setup);

  // Two captures, replayed by two softflowd processes one after the other:
  // the second starts its sequence numbers again and sends its templates
  // afresh, as a rebooted router does.
  std::vector<std::string> pcaps;
  std::uint64_t packets = 0;
  for (std::uint64_t seed : {21, 22}) {
    asncounter::test::SamplePcapOptions po;
    po.packets = 5000;
    po.seed = seed;
    po.table = by_flow.db().string();
    pcaps.push_back((by_flow.dir() / ("run" + std::to_string(seed) + ".pcap")).string());
    const auto summary = asncounter::test::write_sample_pcap(pcaps.back(), po);
    REQUIRE(summary);
    packets += summary->packets;
    REQUIRE(softflowd_replay(by_flow.dir(), pcaps.back(), summary->packets, port, version, 1) == 0);
  }
  const json in = flush_with_sentinel(by_flow, port);
  INFO(in.dump());
  REQUIRE(in["exporters"].size() == 1);
  const json& e = in["exporters"][0];
  CHECK(e["restarts"] == 1);
  CHECK(e["no_template"] == 0);
  CHECK(in["capture_drops"] == 0);

  DaemonFixture::Setup pcap_setup;
  pcap_setup.extra_args = {"--input", "pcap-file:" + pcaps[0], "--input", "pcap-file:" + pcaps[1]};
  DaemonFixture by_pcap(pcap_setup);
  REQUIRE(by_pcap.wait_for_hits(packets) == packets);
  CHECK(by_flow.wait_for_hits(packets) == packets);
  CHECK(counts(by_flow) == counts(by_pcap));
}

TEST_CASE(
    "netflow input: softflowd's end-of-file burst, whole by default, and what a small buffer lost is counted",
    "[flow][integration][softflowd]") {
  if (!asncounter::test::have_program("softflowd"))
    ASNCOUNTER_SKIP("softflowd is not installed (scripts/bootstrap)");
  // 20,000 packets' flows leave softflowd at once (v9: ~230 datagrams).
  // With the default flow-rcvbuf the daemon gets them all; with 4 KiB the
  // kernel drops most, and stats count each one: what was received plus
  // what the kernel dropped is what softflowd sent.
  std::uint64_t sent = 0;
  for (const bool small : {false, true}) {
    INFO((small ? "flow-rcvbuf 4096" : "default flow-rcvbuf"));
    const std::uint16_t port = free_udp_port();
    DaemonFixture::Setup flow_setup;
    flow_setup.extra_args = {"--input", "netflow:127.0.0.1:" + std::to_string(port)};
    if (small) flow_setup.extra_args.insert(flow_setup.extra_args.end(), {"--flow-rcvbuf", "4096"});
    DaemonFixture by_flow(flow_setup);
    asncounter::test::SamplePcapOptions po;
    po.packets = 20000;
    po.seed = 23;
    po.table = by_flow.db().string();
    const std::string pcap = (by_flow.dir() / "sample.pcap").string();
    const auto summary = asncounter::test::write_sample_pcap(pcap, po);
    REQUIRE(summary);
    REQUIRE(softflowd_replay(by_flow.dir(), pcap, summary->packets, port, 9, 1) == 0);
    // The sentinel comes last, so its cmsg carries the kernel's final drop count.
    const json in = flush_with_sentinel(by_flow, port);
    INFO(in.dump());
    REQUIRE(in["exporters"].size() == 1);
    const std::uint64_t drops = in["capture_drops"].get<std::uint64_t>();
    const std::uint64_t received =
        in["exporters"][0]["datagrams"].get<std::uint64_t>() - 1;  // less the sentinel
    if (!small) {
      CHECK(drops == 0);
      CHECK(in["exporters"][0]["sequence_gaps"] == 0);
      CHECK(by_flow.wait_for_hits(summary->packets) == summary->packets);
      sent = received;
    } else {
      WARN("softflowd's burst of " << sent << " datagrams into a 4 KiB buffer: " << received << " received, "
                                   << drops << " dropped and counted");
      CHECK(received + drops == sent);
    }
  }
}

TEST_CASE("once: a flow input is refused with a message, before any socket is bound",
          "[flow][integration][once]") {
  asncounter::test::TempDir dir;
  std::ofstream(dir / "table.dat") << "192.0.2.0/24\t64496\n";
  for (const std::string spec : {"netflow:127.0.0.1:0", "sflow:[::]:0"}) {
    const auto r = asncounter::test::run_command(std::string(ASNCOUNTERD_BIN) + " --once --db " +
                                                 (dir / "table.dat").string() + " --input " + spec + " 2>&1");
    INFO(r.out);
    CHECK(r.status == 2);
    CHECK(r.out.find(spec) != std::string::npos);
    CHECK(r.out.find("--once") != std::string::npos);
    CHECK(r.out.find("pcap-file:") != std::string::npos);
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
  for (const auto& h : hostile) REQUIRE(send_udp(false, port, h));
  REQUIRE(send_udp(true, port, Bytes{0, 5}));  // from ::1, outside flow-exporters
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
