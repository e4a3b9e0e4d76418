#pragma once
// What one flow record may claim before it is refused rather than counted:
// a ceiling on its sampling rate (flow-max-sampling), its packets and its
// octets, so that one forged datagram cannot add 2^64 hits or poison the
// counts a ban is decided on. And the sampling rates the operator sets per
// exporter (flow-sampling-override), which win over what the exporter says.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/ip.hpp"
#include "common/result.hpp"
#include "daemon/input/flow/flow_record.hpp"

namespace asncounter::flow {

/// Ceilings on one record; a record above any of them is refused and counted.
struct RecordBounds {
  std::uint32_t max_sampling = 65536;                  ///< 1 in N, N at most this (flow-max-sampling)
  std::uint64_t max_packets = std::uint64_t{1} << 32;  ///< packets in one flow record (> any 32-bit counter)
  std::uint64_t max_octets = std::uint64_t{1} << 40;   ///< octets in one flow record: 1 TiB
};

/// One flow-sampling-override entry: exporters in `exporters` are sampled 1 in `rate`.
struct SamplingOverride {
  Prefix exporters;
  std::uint32_t rate = 1;
  friend bool operator==(const SamplingOverride&, const SamplingOverride&) = default;
};

/// Parses "192.0.2.0/24=1000, 2001:db8::7=512" (comma or space separated;
/// a bare address is a /32 or /128); the error names the entry at fault.
Result<std::vector<SamplingOverride>> parse_sampling_overrides(const std::string& text);

/// The rate of the most specific entry holding `exporter`, or none.
std::optional<std::uint32_t> override_for(const std::vector<SamplingOverride>& list,
                                          const Address& exporter) noexcept;

/// Why `f` (its rate already the one to apply, 0 when unknown) is refused, or Reject::none.
Reject check_record(const FlowRecord& f, const RecordBounds& bounds) noexcept;

}  // namespace asncounter::flow
