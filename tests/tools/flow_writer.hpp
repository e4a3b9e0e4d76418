#pragma once
// Builds flow export datagrams for tests, fuzz corpora and benchmarks:
// NetFlow v5, NetFlow v9 and IPFIX (templates, options templates, data, raw
// sets for hostile cases) and sFlow v5 (raw packet headers, sampled IPv4 and
// IPv6, counter samples). Every length field is right unless a test breaks it.

#include <cstdint>
#include <vector>

#include "common/ip.hpp"

namespace asncounter::test {

/// One flow as an exporter reports it.
struct FlowSpec {
  Address source;
  Address destination;
  std::uint64_t packets = 1;
  std::uint64_t octets = 0;
};

/// A NetFlow v5 datagram (all flows IPv4).
std::vector<std::uint8_t> netflow_v5(const std::vector<FlowSpec>& flows, std::uint32_t sequence,
                                     std::uint16_t sampling_interval = 0);

/// A template field: information element, length, enterprise (IPFIX, 0 = none).
struct FieldSpec {
  std::uint16_t id = 0;
  std::uint16_t length = 0;
  std::uint32_t enterprise = 0;
};

/// The usual flow template: addresses of `family`, then packets and octets
/// (8 bytes each), then the protocol (1 byte, ignored).
std::vector<FieldSpec> flow_fields(Family family);
/// Appends one record of flow_fields(its family) to `out`.
void append_flow_record(std::vector<std::uint8_t>& out, const FlowSpec& flow);

/// A NetFlow v9 (version 9) or IPFIX (version 10) message built set by set.
class TemplateMessage {
 public:
  TemplateMessage(int version, std::uint32_t sequence, std::uint32_t domain,
                  std::uint32_t export_time = 1700000000);
  /// A template set holding one template (no fields: an IPFIX withdrawal).
  TemplateMessage& add_template(std::uint16_t id, const std::vector<FieldSpec>& fields);
  /// An options template set holding one options template.
  TemplateMessage& add_options_template(std::uint16_t id, const std::vector<FieldSpec>& scope,
                                        const std::vector<FieldSpec>& options);
  /// A data set of already encoded records, padded to 4 bytes when asked.
  TemplateMessage& add_data(std::uint16_t template_id, const std::vector<std::uint8_t>& records,
                            bool pad = false);
  /// A set with any id and body: its length field says 4 + body size.
  TemplateMessage& add_raw_set(std::uint16_t set_id, const std::vector<std::uint8_t>& body);
  /// The datagram, with IPFIX's length (or v9's count) filled in.
  std::vector<std::uint8_t> finish() const;

 private:
  int version_;
  std::vector<std::uint8_t> bytes_;
  std::uint16_t count_ = 0;
};

/// One sFlow sample.
struct SflowSample {
  enum class Kind : std::uint8_t { raw_header, sampled_ipv4, sampled_ipv6, counter } kind = Kind::raw_header;
  FlowSpec flow;                   ///< raw header: octets is the UDP payload size; sampled: the IP length
  std::uint32_t rate = 1;          ///< 1 in N
  bool expanded = false;           ///< the expanded sample format (3 or 4)
  bool vlan = false;               ///< raw header: an 802.1Q tag in front of the IP packet
  std::uint32_t header_max = 128;  ///< raw header: bytes of the frame kept, as agents do
};

/// An sFlow v5 datagram from `agent` (IPv4 or IPv6).
std::vector<std::uint8_t> sflow_v5(const Address& agent, std::uint32_t sequence,
                                   const std::vector<SflowSample>& samples, std::uint32_t sub_agent = 0);

}  // namespace asncounter::test
