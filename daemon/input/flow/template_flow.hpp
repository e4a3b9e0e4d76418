#pragma once
// NetFlow v9 (RFC 3954) and IPFIX (RFC 7011): templates and options
// templates into the cache, data records through them. One walker serves
// both: they differ in header, set ids, withdrawal and variable lengths.

#include <cstdint>
#include <span>
#include <vector>

#include "common/ip.hpp"
#include "daemon/input/flow/flow_record.hpp"
#include "daemon/input/flow/template_cache.hpp"

namespace asncounter::flow {

/// Decodes one NetFlow v9 datagram from `exporter` at `now` (seconds, for
/// template expiry). Sequence numbers count datagrams per source id.
DecodeResult decode_netflow_v9(std::span<const std::uint8_t> datagram, const Address& exporter,
                               TemplateCache& cache, std::int64_t now, std::vector<FlowRecord>& out) noexcept;

/// Decodes one IPFIX message. Sequence numbers count data records per
/// observation domain; bytes after the message's length are ignored.
DecodeResult decode_ipfix(std::span<const std::uint8_t> datagram, const Address& exporter,
                          TemplateCache& cache, std::int64_t now, std::vector<FlowRecord>& out) noexcept;

}  // namespace asncounter::flow
