#pragma once
// sFlow v5 (sflow.org/sflow_version_5.txt): flow samples, plain and
// expanded, each yielding at most one record, taken from its raw packet
// header record (decoded by the packet decoder) or else from its sampled
// IPv4/IPv6 record. Counter samples are only counted.

#include <cstdint>
#include <span>
#include <vector>

#include "daemon/input/flow/flow_record.hpp"

namespace asncounter::flow {

/// Decodes one sFlow v5 datagram, appending one record per flow sample that
/// carries an IP packet. The sampling rate is each sample's own. Sequence
/// numbers count datagrams per agent and sub-agent (domain = sub-agent id).
DecodeResult decode_sflow_v5(std::span<const std::uint8_t> datagram, std::vector<FlowRecord>& out) noexcept;

}  // namespace asncounter::flow
