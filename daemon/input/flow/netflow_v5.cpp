#include "daemon/input/flow/netflow_v5.hpp"

#include "common/big_endian.hpp"

namespace asncounter::flow {

DecodeResult decode_netflow_v5(std::span<const std::uint8_t> datagram,
                               std::vector<FlowRecord>& out) noexcept {
  DecodeResult r;
  const std::uint8_t* p = datagram.data();
  const std::size_t size = datagram.size();
  if (size < kNetflowV5Header) {
    r.reject = Reject::truncated;
    return r;
  }
  if (load_be16(p) != 5) {
    r.reject = Reject::bad_version;
    return r;
  }
  const std::size_t count = load_be16(p + 2);
  // Cisco caps a datagram at 30 flows; a count of 0 carries nothing to count
  // yet is a valid keepalive some exporters send.
  if (count > 30) {
    r.reject = Reject::length_lies;
    return r;
  }
  if (size < kNetflowV5Header + count * kNetflowV5Record) {
    r.reject = Reject::truncated;
    return r;
  }
  // The top two bits are the sampling mode, the low 14 the interval.
  const std::uint32_t interval = load_be16(p + 22) & 0x3FFFU;
  r.sampling_rate = interval;
  r.has_sequence = true;
  r.sequence = load_be32(p + 16);
  r.next_sequence = r.sequence + static_cast<std::uint32_t>(count);
  r.domain = std::uint32_t{p[20]} << 8 | p[21];  // engine type and id

  const std::uint8_t* rec = p + kNetflowV5Header;
  for (std::size_t i = 0; i < count; ++i, rec += kNetflowV5Record) {
    FlowRecord f;
    f.source = Address::from_v4(load_be32(rec));
    f.destination = Address::from_v4(load_be32(rec + 4));
    f.packets = load_be32(rec + 16);
    f.octets = load_be32(rec + 20);
    f.sampling_rate = interval;
    out.push_back(f);
  }
  r.records = static_cast<std::uint32_t>(count);
  return r;
}

}  // namespace asncounter::flow
