#include "tests/tools/flow_writer.hpp"

#include <algorithm>

#include "daemon/input/capture/packet_decoder.hpp"
#include "tests/tools/pcap_writer.hpp"

namespace asncounter::test {
namespace {

using Bytes = std::vector<std::uint8_t>;

void put8(Bytes& out, unsigned v) { out.push_back(static_cast<std::uint8_t>(v)); }
void put16(Bytes& out, unsigned v) {
  put8(out, (v >> 8) & 0xFFU);
  put8(out, v & 0xFFU);
}
void put32(Bytes& out, std::uint32_t v) {
  put16(out, v >> 16);
  put16(out, v & 0xFFFFU);
}
void put64(Bytes& out, std::uint64_t v) {
  put32(out, static_cast<std::uint32_t>(v >> 32));
  put32(out, static_cast<std::uint32_t>(v));
}
void put_address(Bytes& out, const Address& a) {
  if (a.is_v4()) return put32(out, a.v4);
  put64(out, a.v6.hi);
  put64(out, a.v6.lo);
}
void set16(Bytes& out, std::size_t at, std::size_t v) {
  out[at] = static_cast<std::uint8_t>((v >> 8) & 0xFFU);
  out[at + 1] = static_cast<std::uint8_t>(v & 0xFFU);
}

void put_fields(Bytes& out, const std::vector<FieldSpec>& fields) {
  for (const FieldSpec& f : fields) {
    put16(out, f.enterprise ? f.id | 0x8000U : f.id);
    put16(out, f.length);
    if (f.enterprise) put32(out, f.enterprise);
  }
}

}  // namespace

Bytes netflow_v5(const std::vector<FlowSpec>& flows, std::uint32_t sequence,
                 std::uint16_t sampling_interval) {
  Bytes out;
  put16(out, 5);
  put16(out, static_cast<unsigned>(flows.size()));
  put32(out, 123456);      // sys uptime (ms)
  put32(out, 1700000000);  // unix secs
  put32(out, 0);           // nsecs
  put32(out, sequence);
  put8(out, 1);  // engine type
  put8(out, 2);  // engine id
  put16(out, sampling_interval);
  for (const FlowSpec& f : flows) {
    put_address(out, f.source);
    put_address(out, f.destination);
    put32(out, 0);  // next hop
    put16(out, 1);  // input
    put16(out, 2);  // output
    put32(out, static_cast<std::uint32_t>(f.packets));
    put32(out, static_cast<std::uint32_t>(f.octets));
    put32(out, 1000);  // first
    put32(out, 2000);  // last
    put16(out, 40000);
    put16(out, 53);
    put8(out, 0);
    put8(out, 0);   // tcp flags
    put8(out, 17);  // protocol
    put8(out, 0);   // tos
    put16(out, 64496);
    put16(out, 64497);
    put8(out, 24);
    put8(out, 24);
    put16(out, 0);
  }
  return out;
}

std::vector<FieldSpec> flow_fields(Family family) {
  const bool v4 = family == Family::v4;
  return {{v4 ? std::uint16_t{8} : std::uint16_t{27}, v4 ? std::uint16_t{4} : std::uint16_t{16}},
          {v4 ? std::uint16_t{12} : std::uint16_t{28}, v4 ? std::uint16_t{4} : std::uint16_t{16}},
          {2, 8},
          {1, 8},
          {4, 1}};
}

void append_flow_record(Bytes& out, const FlowSpec& flow) {
  put_address(out, flow.source);
  put_address(out, flow.destination);
  put64(out, flow.packets);
  put64(out, flow.octets);
  put8(out, 17);
}

TemplateMessage::TemplateMessage(int version, std::uint32_t sequence, std::uint32_t domain,
                                 std::uint32_t export_time)
    : version_(version) {
  put16(bytes_, static_cast<unsigned>(version));
  put16(bytes_, 0);                         // v9 count or IPFIX length, filled in by finish()
  if (version == 9) put32(bytes_, 654321);  // sys uptime
  put32(bytes_, export_time);
  put32(bytes_, sequence);
  put32(bytes_, domain);
}

TemplateMessage& TemplateMessage::add_template(std::uint16_t id, const std::vector<FieldSpec>& fields) {
  Bytes body;
  put16(body, id);
  put16(body, static_cast<unsigned>(fields.size()));
  put_fields(body, fields);
  return add_raw_set(version_ == 9 ? 0 : 2, body);
}

TemplateMessage& TemplateMessage::add_options_template(std::uint16_t id, const std::vector<FieldSpec>& scope,
                                                       const std::vector<FieldSpec>& options) {
  Bytes body;
  put16(body, id);
  if (version_ == 9) {
    put16(body, static_cast<unsigned>(scope.size() * 4));
    put16(body, static_cast<unsigned>(options.size() * 4));
  } else {
    put16(body, static_cast<unsigned>(scope.size() + options.size()));
    put16(body, static_cast<unsigned>(scope.size()));
  }
  put_fields(body, scope);
  put_fields(body, options);
  while (body.size() % 4) put8(body, 0);
  return add_raw_set(version_ == 9 ? 1 : 3, body);
}

TemplateMessage& TemplateMessage::add_data(std::uint16_t template_id, const Bytes& records, bool pad) {
  Bytes body = records;
  if (pad)
    while (body.size() % 4) put8(body, 0);
  return add_raw_set(template_id, body);
}

TemplateMessage& TemplateMessage::add_raw_set(std::uint16_t set_id, const Bytes& body) {
  put16(bytes_, set_id);
  put16(bytes_, static_cast<unsigned>(body.size() + 4));
  bytes_.insert(bytes_.end(), body.begin(), body.end());
  ++count_;
  return *this;
}

Bytes TemplateMessage::finish() const {
  Bytes out = bytes_;
  set16(out, 2, version_ == 9 ? count_ : out.size());
  return out;
}

Bytes sflow_v5(const Address& agent, std::uint32_t sequence, const std::vector<SflowSample>& samples,
               std::uint32_t sub_agent) {
  Bytes out;
  put32(out, 5);
  put32(out, agent.is_v4() ? 1 : 2);
  put_address(out, agent);
  put32(out, sub_agent);
  put32(out, sequence);
  put32(out, 3600000);  // uptime
  put32(out, static_cast<std::uint32_t>(samples.size()));
  std::uint32_t sample_sequence = sequence * 10;
  for (const SflowSample& s : samples) {
    Bytes body;
    if (s.kind == SflowSample::Kind::counter) {
      put32(body, ++sample_sequence);
      put32(body, 7);  // source id
      put32(body, 1);  // one record: generic interface counters, zeros
      put32(body, 1);
      put32(body, 88);
      body.resize(body.size() + 88);
      put32(out, s.expanded ? 4 : 2);
      put32(out, static_cast<std::uint32_t>(body.size()));
      out.insert(out.end(), body.begin(), body.end());
      continue;
    }
    put32(body, ++sample_sequence);
    if (s.expanded) {
      put32(body, 0);  // source id type
      put32(body, 7);  // source id index
    } else {
      put32(body, 7);
    }
    put32(body, s.rate);
    put32(body, sample_sequence * s.rate);  // sample pool
    put32(body, 0);                         // drops
    if (s.expanded) {
      put32(body, 0);
      put32(body, 1);  // input
      put32(body, 0);
      put32(body, 2);  // output
    } else {
      put32(body, 1);
      put32(body, 2);
    }
    Bytes record;
    std::uint32_t format = 0;
    switch (s.kind) {
      case SflowSample::Kind::raw_header: {
        format = 1;
        const Bytes packet =
            udp_packet(s.flow.source, s.flow.destination, static_cast<std::uint16_t>(s.flow.octets));
        FrameOptions fo;
        if (s.vlan) fo.vlan_tpids = {0x8100};
        const Bytes frame_bytes = frame(linktype::ethernet, packet, fo);
        const auto kept = std::min<std::size_t>(frame_bytes.size(), s.header_max);
        put32(record, 1);                                                   // Ethernet
        put32(record, static_cast<std::uint32_t>(frame_bytes.size() + 4));  // frame length with FCS
        put32(record, 4);                                                   // stripped (FCS)
        put32(record, static_cast<std::uint32_t>(kept));
        record.insert(record.end(), frame_bytes.begin(),
                      frame_bytes.begin() + static_cast<std::ptrdiff_t>(kept));
        while (record.size() % 4) put8(record, 0);
        break;
      }
      case SflowSample::Kind::sampled_ipv4:
        format = 3;
        put32(record, static_cast<std::uint32_t>(s.flow.octets));
        put32(record, 17);
        put_address(record, s.flow.source);
        put_address(record, s.flow.destination);
        put32(record, 40000);
        put32(record, 53);
        put32(record, 0);
        put32(record, 0);
        break;
      case SflowSample::Kind::sampled_ipv6:
        format = 4;
        put32(record, static_cast<std::uint32_t>(s.flow.octets));
        put32(record, 17);
        put_address(record, s.flow.source);
        put_address(record, s.flow.destination);
        put32(record, 40000);
        put32(record, 53);
        put32(record, 0);
        put32(record, 0);
        break;
      case SflowSample::Kind::counter:
        break;
    }
    // An extended switch record first, as agents send it: a record the decoder skips.
    put32(body, 2);
    put32(body, 1001);
    put32(body, 16);
    for (int i = 0; i < 4; ++i) put32(body, 10);
    put32(body, format);
    put32(body, static_cast<std::uint32_t>(record.size()));
    body.insert(body.end(), record.begin(), record.end());
    put32(out, s.expanded ? 3 : 1);
    put32(out, static_cast<std::uint32_t>(body.size()));
    out.insert(out.end(), body.begin(), body.end());
  }
  return out;
}

}  // namespace asncounter::test
