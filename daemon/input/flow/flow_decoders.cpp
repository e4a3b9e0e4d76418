#include "daemon/input/flow/flow_decoders.hpp"

#include <array>

#include "common/big_endian.hpp"
#include "daemon/input/flow/netflow_v5.hpp"
#include "daemon/input/flow/sflow_v5.hpp"
#include "daemon/input/flow/template_flow.hpp"

namespace asncounter::flow {
namespace {

// The decoders differ in what they need; the rows take one shape.
DecodeResult sflow_v5(std::span<const std::uint8_t> d, const DecodeContext&,
                      std::vector<FlowRecord>& out) noexcept {
  return decode_sflow_v5(d, out);
}
DecodeResult netflow_v5(std::span<const std::uint8_t> d, const DecodeContext&,
                        std::vector<FlowRecord>& out) noexcept {
  return decode_netflow_v5(d, out);
}
DecodeResult netflow_v9(std::span<const std::uint8_t> d, const DecodeContext& c,
                        std::vector<FlowRecord>& out) noexcept {
  return decode_netflow_v9(d, c.exporter, c.cache, c.now, out);
}
DecodeResult ipfix(std::span<const std::uint8_t> d, const DecodeContext& c,
                   std::vector<FlowRecord>& out) noexcept {
  return decode_ipfix(d, c.exporter, c.cache, c.now, out);
}

constexpr std::array kFlowDecoders = {
    FlowDecoderRow{FlowPort::sflow, 5, "sflow-v5", sflow_v5},
    FlowDecoderRow{FlowPort::netflow, 5, "netflow-v5", netflow_v5},
    FlowDecoderRow{FlowPort::netflow, 9, "netflow-v9", netflow_v9},
    FlowDecoderRow{FlowPort::netflow, 10, "ipfix", ipfix},
};

// sFlow's version is an XDR 32-bit word, NetFlow's and IPFIX's 16 bits.
std::size_t version_bytes(FlowPort port) noexcept { return port == FlowPort::sflow ? 4 : 2; }

}  // namespace

std::span<const FlowDecoderRow> flow_decoders() { return kFlowDecoders; }

std::uint32_t datagram_version(FlowPort port, std::span<const std::uint8_t> d) noexcept {
  if (d.size() < version_bytes(port)) return 0;
  return port == FlowPort::sflow ? load_be32(d.data()) : load_be16(d.data());
}

DecodeResult decode_datagram(FlowPort port, std::span<const std::uint8_t> datagram,
                             const DecodeContext& context, std::vector<FlowRecord>& out) noexcept {
  DecodeResult r;
  if (datagram.size() < version_bytes(port)) {
    r.reject = Reject::truncated;
    return r;
  }
  const std::uint32_t version = datagram_version(port, datagram);
  for (const FlowDecoderRow& row : kFlowDecoders)
    if (row.port == port && row.version == version) return row.decode(datagram, context, out);
  r.reject = Reject::bad_version;
  return r;
}

}  // namespace asncounter::flow
