// NetFlow v5 and sFlow v5 decoders on datagrams built by the flow writer:
// every field read back, and every truncation and lying length rejected
// without a record (buffers of exactly the datagram's size, so ASan sees any
// read past it).
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "common/ip.hpp"
#include "daemon/input/flow/netflow_v5.hpp"
#include "daemon/input/flow/sflow_v5.hpp"
#include "tests/tools/flow_writer.hpp"

namespace {

using asncounter::Address;
using asncounter::flow::DecodeResult;
using asncounter::flow::FlowRecord;
using asncounter::flow::Reject;
namespace test = asncounter::test;
using Bytes = std::vector<std::uint8_t>;

const Address kSrc4 = *asncounter::parse_address("192.0.2.33");
const Address kDst4 = *asncounter::parse_address("198.51.100.7");
const Address kSrc6 = *asncounter::parse_address("2001:db8:1:2::33");
const Address kDst6 = *asncounter::parse_address("2001:db8::53");
const Address kAgent = *asncounter::parse_address("203.0.113.1");

Bytes prefix(const Bytes& d, std::size_t n) {
  return Bytes(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(n));
}

}  // namespace

TEST_CASE("netflow v5: every flow with its addresses, counts and sampling interval", "[flow][netflow5]") {
  const Bytes d = test::netflow_v5({{kSrc4, kDst4, 10, 1500}, {kDst4, kSrc4, 3, 180}}, 4000, 0x4000 | 100);
  std::vector<FlowRecord> out;
  const DecodeResult r = asncounter::flow::decode_netflow_v5(d, out);
  REQUIRE(r.reject == Reject::none);
  REQUIRE(r.records == 2);
  REQUIRE(out.size() == 2);
  CHECK(out[0].source == kSrc4);
  CHECK(out[0].destination == kDst4);
  CHECK(out[0].packets == 10);
  CHECK(out[0].octets == 1500);
  CHECK(out[0].sampling_rate == 100);  // the mode bits are not part of the interval
  CHECK(out[1].source == kDst4);
  CHECK(out[1].packets == 3);
  CHECK(out[1].octets == 180);
  CHECK(r.has_sequence);
  CHECK(r.sequence == 4000);
  CHECK(r.next_sequence == 4002);
  CHECK(r.domain == 0x0102);
}

TEST_CASE("netflow v5: truncated at every byte, a count past 30 and a bad version are rejected",
          "[flow][netflow5]") {
  const Bytes d = test::netflow_v5({{kSrc4, kDst4, 10, 1500}, {kDst4, kSrc4, 3, 180}}, 1);
  for (std::size_t n = 0; n < d.size(); ++n) {
    std::vector<FlowRecord> out;
    const Bytes cut = prefix(d, n);
    const DecodeResult r = asncounter::flow::decode_netflow_v5(cut, out);
    INFO(n);
    CHECK(r.reject == Reject::truncated);
    CHECK(out.empty());
  }
  Bytes lies = d;
  lies[3] = 31;
  std::vector<FlowRecord> out;
  CHECK(asncounter::flow::decode_netflow_v5(lies, out).reject == Reject::length_lies);
  Bytes v9 = d;
  v9[1] = 9;
  CHECK(asncounter::flow::decode_netflow_v5(v9, out).reject == Reject::bad_version);
  CHECK(out.empty());
}

TEST_CASE("sflow v5: raw headers, sampled IPv4 and IPv6, plain and expanded, counters counted",
          "[flow][sflow]") {
  using Kind = test::SflowSample::Kind;
  std::vector<test::SflowSample> samples = {
      {Kind::raw_header, {kSrc4, kDst4, 1, 100}, 512, false, false, 128},
      {Kind::raw_header, {kSrc6, kDst6, 1, 1000}, 1024, true, true, 128},
      {Kind::sampled_ipv4, {kSrc4, kDst4, 1, 1400}, 2048, false, false, 128},
      {Kind::counter, {}, 0, false, false, 128},
      {Kind::sampled_ipv6, {kSrc6, kDst6, 1, 1280}, 4096, true, false, 128},
      {Kind::counter, {}, 0, true, false, 128},
  };
  const Bytes d = test::sflow_v5(kAgent, 77, samples, 3);
  std::vector<FlowRecord> out;
  const DecodeResult r = asncounter::flow::decode_sflow_v5(d, out);
  REQUIRE(r.reject == Reject::none);
  REQUIRE(r.records == 4);
  REQUIRE(out.size() == 4);
  CHECK(r.counter_samples == 2);
  CHECK(r.sequence == 77);
  CHECK(r.next_sequence == 78);
  CHECK(r.domain == 3);
  CHECK(r.sampling_rate == 4096);
  // Raw headers count the IP length the packet decoder reads, as pcap inputs do.
  CHECK(out[0].source == kSrc4);
  CHECK(out[0].destination == kDst4);
  CHECK(out[0].packets == 1);
  CHECK(out[0].octets == 20 + 8 + 100);
  CHECK(out[0].sampling_rate == 512);
  CHECK(out[1].source == kSrc6);  // behind a VLAN tag, in an expanded sample
  CHECK(out[1].destination == kDst6);
  CHECK(out[1].octets == 40 + 8 + 1000);
  CHECK(out[1].sampling_rate == 1024);
  CHECK(out[2].source == kSrc4);
  CHECK(out[2].destination == kDst4);
  CHECK(out[2].octets == 1400);
  CHECK(out[2].sampling_rate == 2048);
  CHECK(out[3].source == kSrc6);
  CHECK(out[3].destination == kDst6);
  CHECK(out[3].octets == 1280);
  CHECK(out[3].sampling_rate == 4096);
}

TEST_CASE("sflow v5: an IPv6 agent, and a raw header that is not IP is skipped", "[flow][sflow]") {
  using Kind = test::SflowSample::Kind;
  // A header cut to 10 bytes holds no IP header: the sample is skipped, not rejected.
  const Bytes d = test::sflow_v5(kSrc6, 1,
                                 {{Kind::raw_header, {kSrc4, kDst4, 1, 100}, 10, false, false, 10},
                                  {Kind::sampled_ipv4, {kSrc4, kDst4, 1, 60}, 10, false, false, 128}});
  std::vector<FlowRecord> out;
  const DecodeResult r = asncounter::flow::decode_sflow_v5(d, out);
  REQUIRE(r.reject == Reject::none);
  CHECK(r.records == 1);
  CHECK(r.skipped == 1);
  REQUIRE(out.size() == 1);
  CHECK(out[0].octets == 60);
}

TEST_CASE("sflow v5: truncated at every byte, lying lengths and bad versions append nothing",
          "[flow][sflow]") {
  using Kind = test::SflowSample::Kind;
  const Bytes d = test::sflow_v5(kAgent, 5,
                                 {{Kind::raw_header, {kSrc4, kDst4, 1, 100}, 512, false, false, 128},
                                  {Kind::sampled_ipv6, {kSrc6, kDst6, 1, 1280}, 4096, true, false, 128}});
  for (std::size_t n = 0; n < d.size(); ++n) {
    std::vector<FlowRecord> out;
    const Bytes cut = prefix(d, n);
    const DecodeResult r = asncounter::flow::decode_sflow_v5(cut, out);
    INFO(n);
    CHECK(r.reject != Reject::none);
    CHECK(r.records == 0);
    CHECK(out.empty());
  }
  std::vector<FlowRecord> out;
  Bytes samples_lie = d;
  samples_lie[27] = 200;  // sample count (agent IPv4: the count is at 24..27)
  CHECK(asncounter::flow::decode_sflow_v5(samples_lie, out).reject == Reject::length_lies);
  Bytes sample_length_lies = d;
  sample_length_lies[34] = 0x7F;  // the first sample's length, far past the datagram
  CHECK(asncounter::flow::decode_sflow_v5(sample_length_lies, out).reject == Reject::length_lies);
  Bytes v4 = d;
  v4[3] = 4;
  CHECK(asncounter::flow::decode_sflow_v5(v4, out).reject == Reject::bad_version);
  Bytes agent = d;
  agent[7] = 3;
  CHECK(asncounter::flow::decode_sflow_v5(agent, out).reject == Reject::bad_sample);
  CHECK(out.empty());
}
