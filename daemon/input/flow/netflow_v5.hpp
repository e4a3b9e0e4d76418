#pragma once
// NetFlow v5: a 24-byte header and up to 30 fixed 48-byte IPv4 flow records.

#include <cstdint>
#include <span>
#include <vector>

#include "daemon/input/flow/flow_record.hpp"

namespace asncounter::flow {

inline constexpr std::size_t kNetflowV5Header = 24;
inline constexpr std::size_t kNetflowV5Record = 48;

/// Decodes one NetFlow v5 datagram, appending its flows to `out`. The
/// sampling rate comes from the header's sampling interval (0 when unset).
/// Sequence numbers count flows, so next_sequence = sequence + count.
DecodeResult decode_netflow_v5(std::span<const std::uint8_t> datagram, std::vector<FlowRecord>& out) noexcept;

}  // namespace asncounter::flow
