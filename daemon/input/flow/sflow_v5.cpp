#include "daemon/input/flow/sflow_v5.hpp"

#include "common/big_endian.hpp"
#include "daemon/input/capture/packet_decoder.hpp"

namespace asncounter::flow {
namespace {

// Sample and record formats (enterprise 0; the enterprise sits in the top 20 bits).
constexpr std::uint32_t kFlowSample = 1;
constexpr std::uint32_t kCounterSample = 2;
constexpr std::uint32_t kExpandedFlowSample = 3;
constexpr std::uint32_t kExpandedCounterSample = 4;
constexpr std::uint32_t kRawPacketHeader = 1;
constexpr std::uint32_t kSampledIPv4 = 3;
constexpr std::uint32_t kSampledIPv6 = 4;

// Raw header protocols and the link type the packet decoder reads them as.
constexpr std::uint32_t kHeaderEthernet = 1;
constexpr std::uint32_t kHeaderIPv4 = 11;
constexpr std::uint32_t kHeaderIPv6 = 12;

// A real agent sends a handful of samples per datagram and a few records per
// sample; these bounds keep a hostile count from costing more than the
// bytes it came in (every element takes at least 8 bytes anyway).
constexpr std::uint32_t kMaxSamples = 1U << 16;

// A cursor over the datagram: every read checks the bytes left.
struct Reader {
  const std::uint8_t* p;
  std::size_t left;

  bool u32(std::uint32_t& v) noexcept {
    if (left < 4) return false;
    v = load_be32(p);
    p += 4;
    left -= 4;
    return true;
  }
  bool skip(std::size_t n) noexcept {
    if (left < n) return false;
    p += n;
    left -= n;
    return true;
  }
};

int link_type_of(std::uint32_t protocol) noexcept {
  switch (protocol) {
    case kHeaderEthernet:
      return linktype::ethernet;
    case kHeaderIPv4:
      return linktype::ipv4;
    case kHeaderIPv6:
      return linktype::ipv6;
    default:
      return -1;
  }
}

// A raw packet header record: protocol, frame length, stripped, header length, header.
bool raw_header(const std::uint8_t* p, std::size_t len, FlowRecord& f) noexcept {
  if (len < 16) return false;
  const int link = link_type_of(load_be32(p));
  const std::uint32_t header_length = load_be32(p + 12);
  if (link < 0 || header_length > len - 16) return false;
  const DecodedPacket d = decode_packet(link, p + 16, header_length);
  if (d.status != DecodeStatus::ok) return false;
  f.source = d.source;
  f.destination = d.destination;
  // The IP length, as the pcap inputs count bytes (the frame length would add the link header).
  f.octets = d.ip_length;
  return true;
}

V6 load_v6(const std::uint8_t* p) noexcept { return V6{load_be64(p), load_be64(p + 8)}; }

enum class Walk : std::uint8_t { ok, truncated, lies };

// The records of one flow sample; `f` is filled from the first that has addresses.
Walk flow_records(Reader rd, std::uint32_t count, FlowRecord& f, bool& found) noexcept {
  for (std::uint32_t i = 0; i < count; ++i) {
    std::uint32_t format = 0, length = 0;
    if (!rd.u32(format) || !rd.u32(length)) return Walk::truncated;
    if (length > rd.left) return Walk::lies;
    const std::uint8_t* body = rd.p;
    rd.skip(length);
    if (found) continue;
    switch (format) {
      case kRawPacketHeader:
        found = raw_header(body, length, f);
        break;
      case kSampledIPv4:
        if (length >= 32) {
          f.octets = load_be32(body);
          f.source = Address::from_v4(load_be32(body + 8));
          f.destination = Address::from_v4(load_be32(body + 12));
          found = true;
        }
        break;
      case kSampledIPv6:
        if (length >= 56) {
          f.octets = load_be32(body);
          f.source = Address::from_v6(load_v6(body + 8));
          f.destination = Address::from_v6(load_v6(body + 24));
          found = true;
        }
        break;
      default:
        break;  // extended records (switch, router, gateway, ...) and enterprise formats
    }
  }
  return Walk::ok;
}

}  // namespace

DecodeResult decode_sflow_v5(std::span<const std::uint8_t> datagram, std::vector<FlowRecord>& out) noexcept {
  DecodeResult r;
  const std::size_t start = out.size();
  auto fail = [&](Reject why) {
    out.resize(start);
    DecodeResult bad;
    bad.reject = why;
    return bad;
  };
  Reader rd{datagram.data(), datagram.size()};
  std::uint32_t version = 0, address_type = 0;
  if (!rd.u32(version)) return fail(Reject::truncated);
  if (version != 5) return fail(Reject::bad_version);
  if (!rd.u32(address_type)) return fail(Reject::truncated);
  if (address_type != 1 && address_type != 2) return fail(Reject::bad_sample);
  std::uint32_t sub_agent = 0, sequence = 0, uptime = 0, samples = 0;
  if (!rd.skip(address_type == 1 ? 4 : 16) || !rd.u32(sub_agent) || !rd.u32(sequence) || !rd.u32(uptime) ||
      !rd.u32(samples))
    return fail(Reject::truncated);
  if (samples > kMaxSamples || samples > rd.left / 8) return fail(Reject::length_lies);
  r.has_sequence = true;
  r.domain = sub_agent;
  r.sequence = sequence;
  r.next_sequence = sequence + 1;

  for (std::uint32_t s = 0; s < samples; ++s) {
    std::uint32_t format = 0, length = 0;
    if (!rd.u32(format) || !rd.u32(length)) return fail(Reject::truncated);
    if (length > rd.left) return fail(Reject::length_lies);
    Reader body{rd.p, length};
    rd.skip(length);
    if (format == kCounterSample || format == kExpandedCounterSample) {
      ++r.counter_samples;
      continue;
    }
    if (format != kFlowSample && format != kExpandedFlowSample) continue;  // enterprise samples
    // Plain: sequence, source id, rate, pool, drops, input, output, count.
    // Expanded: sequence, source type, source index, rate, pool, drops,
    // input format, input, output format, output, count.
    const bool expanded = format == kExpandedFlowSample;
    std::uint32_t rate = 0, count = 0;
    if (!body.skip(expanded ? 12 : 8) || !body.u32(rate) || !body.skip(expanded ? 24 : 16) ||
        !body.u32(count))
      return fail(Reject::truncated);
    if (count > body.left / 8) return fail(Reject::length_lies);
    FlowRecord f;
    bool found = false;
    switch (flow_records(body, count, f, found)) {
      case Walk::truncated:
        return fail(Reject::truncated);
      case Walk::lies:
        return fail(Reject::length_lies);
      case Walk::ok:
        break;
    }
    r.sampling_rate = rate;
    if (!found) {
      ++r.skipped;
      continue;
    }
    f.packets = 1;
    f.sampling_rate = rate;
    out.push_back(f);
    ++r.records;
  }
  return r;
}

}  // namespace asncounter::flow
