#pragma once
// The flow decoders as a registry: one row per (port, version), so a new
// flow version is a row here and its decoder's file. A port reads the
// version from each datagram's head (sFlow: 32 bits, NetFlow and IPFIX: 16)
// and hands the datagram to that version's row.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "common/ip.hpp"
#include "daemon/input/flow/flow_record.hpp"
#include "daemon/input/flow/template_cache.hpp"

namespace asncounter::flow {

/// The UDP ports a flow input listens as: `sflow:` or `netflow:` (NetFlow v5,
/// v9 and IPFIX share one port, told apart by version).
enum class FlowPort : std::uint8_t { sflow, netflow };

/// What a decoder may need besides the datagram: template-based versions
/// keep each exporter's templates.
struct DecodeContext {
  const Address& exporter;
  TemplateCache& cache;
  std::int64_t now;
};

using DecodeFlow = DecodeResult (*)(std::span<const std::uint8_t> datagram, const DecodeContext& context,
                                    std::vector<FlowRecord>& out) noexcept;

struct FlowDecoderRow {
  FlowPort port;
  std::uint32_t version;  ///< the datagram's version field
  std::string_view name;  ///< "sflow-v5", "netflow-v9", "ipfix"
  DecodeFlow decode;
};

/// Every decoder, one row per port and version.
std::span<const FlowDecoderRow> flow_decoders();

/// The version field of a datagram on `port` (0 when too short for one).
std::uint32_t datagram_version(FlowPort port, std::span<const std::uint8_t> datagram) noexcept;

/// Decodes one datagram of `port` with its version's row: truncated when too
/// short for a version, bad_version when no row reads it.
DecodeResult decode_datagram(FlowPort port, std::span<const std::uint8_t> datagram,
                             const DecodeContext& context, std::vector<FlowRecord>& out) noexcept;

}  // namespace asncounter::flow
