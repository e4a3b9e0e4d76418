// The per-port collector: v5, v9 and IPFIX told apart by the version field,
// per-exporter stats (records, rejections by reason, no-template sets,
// sampling), sequence gaps, an exporter restart that loses nothing after it,
// and the cap on exporters with stats of their own.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "common/ip.hpp"
#include "daemon/input/flow/flow_collector.hpp"
#include "tests/tools/flow_writer.hpp"

namespace {

using asncounter::Address;
using asncounter::Family;
using asncounter::flow::DecodeResult;
using asncounter::flow::ExporterStats;
using asncounter::flow::FlowCollector;
using asncounter::flow::FlowPort;
using asncounter::flow::FlowRecord;
using asncounter::flow::Reject;
using asncounter::test::FlowSpec;
using asncounter::test::TemplateMessage;
using Bytes = std::vector<std::uint8_t>;

const Address kSrc4 = *asncounter::parse_address("192.0.2.33");
const Address kDst4 = *asncounter::parse_address("198.51.100.7");
const Address kSrc6 = *asncounter::parse_address("2001:db8:1:2::33");
const Address kDst6 = *asncounter::parse_address("2001:db8::53");
const Address kExporter = *asncounter::parse_address("203.0.113.1");

Bytes records(const std::vector<FlowSpec>& flows) {
  Bytes out;
  for (const FlowSpec& f : flows) asncounter::test::append_flow_record(out, f);
  return out;
}

std::uint64_t rejected(const ExporterStats& s, Reject r) { return s.rejected[static_cast<std::size_t>(r)]; }

}  // namespace

TEST_CASE("flow collector: the netflow port reads v5, v9 and IPFIX by their version field",
          "[flow][collector]") {
  FlowCollector c(FlowPort::netflow);
  std::vector<FlowRecord> out;
  c.receive(kExporter, asncounter::test::netflow_v5({{kSrc4, kDst4, 1, 100}}, 0), 1000, out);
  c.receive(kExporter,
            TemplateMessage(9, 0, 0)
                .add_template(256, asncounter::test::flow_fields(Family::v4))
                .add_data(256, records({{kSrc4, kDst4, 2, 200}}))
                .finish(),
            1000, out);
  c.receive(kExporter,
            TemplateMessage(10, 0, 0)
                .add_template(256, asncounter::test::flow_fields(Family::v6))
                .add_data(256, records({{kSrc6, kDst6, 3, 300}}))
                .finish(),
            1000, out);
  CHECK(c.receive(kExporter, Bytes{0, 7, 0, 0}, 1000, out).reject == Reject::bad_version);
  CHECK(c.receive(kExporter, Bytes{0}, 1000, out).reject == Reject::truncated);
  // The same port's IPv4 v9 template 256 and IPv6 IPFIX template 256 do not collide.
  REQUIRE(out.size() == 3);
  CHECK(out[0].octets == 100);
  CHECK(out[1].octets == 200);
  CHECK(out[2].source == kSrc6);
  CHECK(out[2].octets == 300);
  const ExporterStats* s = c.stats(kExporter);
  REQUIRE(s);
  CHECK(s->datagrams == 5);
  CHECK(s->records == 3);
  CHECK(rejected(*s, Reject::bad_version) == 1);
  CHECK(rejected(*s, Reject::truncated) == 1);
  CHECK(s->sequence_gaps == 0);
}

TEST_CASE("flow collector: sequence gaps in datagrams (sFlow, v9) and flows (v5, IPFIX)",
          "[flow][collector]") {
  std::vector<FlowRecord> out;
  FlowCollector sflow(FlowPort::sflow);
  using Kind = asncounter::test::SflowSample::Kind;
  const std::vector<asncounter::test::SflowSample> one = {{Kind::sampled_ipv4, {kSrc4, kDst4, 1, 60}, 10}};
  for (std::uint32_t seq : {1U, 2U, 5U, 6U})
    sflow.receive(kExporter, asncounter::test::sflow_v5(kExporter, seq, one), 0, out);
  CHECK(sflow.stats(kExporter)->sequence_gaps == 2);
  CHECK(sflow.stats(kExporter)->sampling_rate == 10);
  // A late datagram takes its loss back.
  sflow.receive(kExporter, asncounter::test::sflow_v5(kExporter, 4, one), 0, out);
  CHECK(sflow.stats(kExporter)->sequence_gaps == 1);
  CHECK(sflow.stats(kExporter)->records == 5);

  FlowCollector netflow(FlowPort::netflow);
  const FlowSpec f{kSrc4, kDst4, 1, 64};
  netflow.receive(kExporter, asncounter::test::netflow_v5({f, f}, 100), 0, out);
  netflow.receive(kExporter, asncounter::test::netflow_v5({f, f}, 102), 0, out);
  netflow.receive(kExporter, asncounter::test::netflow_v5({f}, 110), 0, out);  // 6 flows lost
  CHECK(netflow.stats(kExporter)->sequence_gaps == 6);
  const Bytes t =
      TemplateMessage(10, 0, 5).add_template(256, asncounter::test::flow_fields(Family::v4)).finish();
  netflow.receive(kExporter, t, 0, out);
  netflow.receive(kExporter, TemplateMessage(10, 0, 5).add_data(256, records({f, f, f})).finish(), 0, out);
  netflow.receive(kExporter, TemplateMessage(10, 4, 5).add_data(256, records({f})).finish(), 0,
                  out);  // 1 lost
  CHECK(netflow.stats(kExporter)->sequence_gaps == 7);
}

TEST_CASE("flow collector: an exporter restart resets sequence and templates and loses nothing after",
          "[flow][collector]") {
  const int version = GENERATE(9, 10);
  FlowCollector c(FlowPort::netflow);
  std::vector<FlowRecord> out;
  const FlowSpec f4{kSrc4, kDst4, 2, 100};
  const FlowSpec f6{kSrc6, kDst6, 3, 300};
  std::uint32_t seq = 100000;
  for (int i = 0; i < 5; ++i) {
    TemplateMessage m(version, seq, 0);
    if (i == 0) m.add_template(256, asncounter::test::flow_fields(Family::v4));
    c.receive(kExporter, m.add_data(256, records({f4})).finish(), 1000, out);
    seq += 1;  // one datagram, one data record
  }
  REQUIRE(out.size() == 5);
  // Restarted: sequence from 0, template 256 now describes IPv6 flows.
  seq = 0;
  for (int i = 0; i < 5; ++i) {
    TemplateMessage m(version, seq, 0);
    if (i == 0) m.add_template(256, asncounter::test::flow_fields(Family::v6));
    c.receive(kExporter, m.add_data(256, records({f6, f6})).finish(), 1001, out);
    seq += version == 9 ? 1 : 2;
  }
  REQUIRE(out.size() == 15);
  for (std::size_t i = 5; i < out.size(); ++i) {
    CHECK(out[i].source == kSrc6);
    CHECK(out[i].packets == 3);
    CHECK(out[i].octets == 300);
  }
  const ExporterStats* s = c.stats(kExporter);
  REQUIRE(s);
  CHECK(s->records == 15);
  CHECK(s->restarts == 1);
  CHECK(s->sequence_gaps == 0);
  CHECK(c.templates().size() == 1);
}

TEST_CASE("flow collector: no-template sets, sampling and rejections show in the exporter's stats",
          "[flow][collector]") {
  FlowCollector c(FlowPort::netflow);
  std::vector<FlowRecord> out;
  c.receive(kExporter, TemplateMessage(10, 0, 0).add_data(300, records({{kSrc4, kDst4, 1, 1}})).finish(), 0,
            out);
  Bytes lies = asncounter::test::netflow_v5({{kSrc4, kDst4, 1, 1}}, 0, 512);
  lies.pop_back();
  c.receive(kExporter, lies, 0, out);
  c.receive(kExporter, asncounter::test::netflow_v5({{kSrc4, kDst4, 1, 1}}, 0, 512), 0, out);
  const ExporterStats* s = c.stats(kExporter);
  REQUIRE(s);
  CHECK(s->no_template == 1);
  CHECK(rejected(*s, Reject::truncated) == 1);
  CHECK(s->records == 1);
  CHECK(s->sampling_rate == 512);
  REQUIRE(out.size() == 1);
  CHECK(out[0].sampling_rate == 512);
}

TEST_CASE("flow collector: exporters past the cap share one entry", "[flow][collector]") {
  FlowCollector::Limits limits;
  limits.max_exporters = 2;
  FlowCollector c(FlowPort::netflow, limits);
  std::vector<FlowRecord> out;
  const Bytes d = asncounter::test::netflow_v5({{kSrc4, kDst4, 1, 1}}, 0);
  for (std::uint32_t i = 0; i < 5; ++i) c.receive(Address::from_v4(0xCB007100U + i), d, 0, out);
  CHECK(c.exporters() == 2);
  CHECK(c.other_stats().datagrams == 3);
  CHECK(c.stats(Address::from_v4(0xCB007104U)) == nullptr);
  CHECK(out.size() == 5);  // their flows still count
}
