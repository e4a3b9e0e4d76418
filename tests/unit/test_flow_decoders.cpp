// The flow decoders' registry: each datagram goes to the row of its port and
// version, and what no row reads is refused with the reason the stats show.
#include <catch2/catch.hpp>

#include <cstdint>
#include <set>
#include <utility>
#include <vector>

#include "daemon/input/flow/flow_decoders.hpp"
#include "tests/support/addresses.hpp"
#include "tests/tools/flow_writer.hpp"

using asncounter::flow::datagram_version;
using asncounter::flow::decode_datagram;
using asncounter::flow::DecodeContext;
using asncounter::flow::FlowPort;
using asncounter::flow::FlowRecord;
using asncounter::flow::Reject;
using asncounter::flow::TemplateCache;
namespace test = asncounter::test;

TEST_CASE("Flow decoders: one row per port and version, each version read from the datagram", "[flow]") {
  std::set<std::pair<FlowPort, std::uint32_t>> seen;
  for (const auto& row : asncounter::flow::flow_decoders()) {
    INFO(row.name);
    CHECK(seen.insert({row.port, row.version}).second);  // no two rows claim one version
    CHECK(row.decode != nullptr);
  }
  CHECK(seen.size() == 4);  // sFlow v5; NetFlow v5, v9; IPFIX

  const auto v5 = test::netflow_v5({{test::addr("198.51.100.7"), test::addr("192.0.2.1"), 3, 300}}, 1);
  CHECK(datagram_version(FlowPort::netflow, v5) == 5);
  const auto sflow = test::sflow_v5(test::addr("192.0.2.9"), 1, {});
  CHECK(datagram_version(FlowPort::sflow, sflow) == 5);
}

TEST_CASE("Flow decoders: a datagram goes to its version's row, others are refused with a reason", "[flow]") {
  TemplateCache cache;
  const auto exporter = test::addr("127.0.0.1");
  const DecodeContext context{exporter, cache, 0};
  std::vector<FlowRecord> out;

  auto v5 = test::netflow_v5({{test::addr("198.51.100.7"), test::addr("192.0.2.1"), 3, 300}}, 1);
  auto r = decode_datagram(FlowPort::netflow, v5, context, out);
  CHECK(r.reject == Reject::none);
  REQUIRE(out.size() == 1);
  CHECK(out[0].source == test::addr("198.51.100.7"));

  // The same bytes on the sFlow port: its 32-bit version is no row's.
  out.clear();
  CHECK(decode_datagram(FlowPort::sflow, v5, context, out).reject == Reject::bad_version);
  CHECK(out.empty());

  v5[1] = 7;  // NetFlow v7: no row
  CHECK(decode_datagram(FlowPort::netflow, v5, context, out).reject == Reject::bad_version);
  const std::vector<std::uint8_t> one_byte{0};
  CHECK(decode_datagram(FlowPort::netflow, one_byte, context, out).reject == Reject::truncated);
  CHECK(decode_datagram(FlowPort::sflow,
                        v5.size() >= 3 ? std::vector<std::uint8_t>(v5.begin(), v5.begin() + 3) : v5, context,
                        out)
            .reject == Reject::truncated);
  CHECK(out.empty());
}
