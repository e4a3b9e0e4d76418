#pragma once
// What the flow decoders (sFlow, NetFlow v5/v9, IPFIX) hand back: one record
// per flow or sampled packet, appended to a vector the caller owns and
// reuses, and a small result per datagram saying what was in it or why it
// was rejected. Datagrams are untrusted: decoders never throw, never read
// past the buffer, and on a rejected datagram append nothing.

#include <array>
#include <cstdint>
#include <string_view>

#include "common/ip.hpp"

namespace asncounter::flow {

/// One flow (NetFlow/IPFIX) or one sampled packet (sFlow).
struct FlowRecord {
  Address source;
  Address destination;
  std::uint64_t packets = 0;
  std::uint64_t octets = 0;
  std::uint32_t sampling_rate = 0;  ///< 1 in N; 0 = unknown (the caller applies flow-sampling)
};

/// Why a datagram was rejected (none when it was accepted).
enum class Reject : std::uint8_t {
  none,
  truncated,       ///< the datagram ends inside a header or a record
  bad_version,     ///< not the version this decoder reads
  length_lies,     ///< a length or count field disagrees with the bytes there
  bad_template,    ///< a template with 0 fields, too many, or records of 0 bytes
  template_limit,  ///< the template cache is full for this exporter or overall
  bad_sample,      ///< an sFlow sample or address type this decoder cannot walk
  // Reasons for one record, not a whole datagram (the rest of it is counted):
  sampling_too_high,  ///< a record's rate is above flow-max-sampling
  packets_too_high,   ///< a record claims more packets than any real flow carries
  octets_too_high,    ///< a record claims more octets than any real flow carries
  count_,             ///< number of reasons (array size), not a reason
};

inline constexpr std::size_t kRejectReasons = static_cast<std::size_t>(Reject::count_);

/// A short name for a reason ("truncated", "length-lies", ...), for stats.
constexpr std::string_view to_string(Reject r) noexcept {
  switch (r) {
    case Reject::none:
      return "none";
    case Reject::truncated:
      return "truncated";
    case Reject::bad_version:
      return "bad-version";
    case Reject::length_lies:
      return "length-lies";
    case Reject::bad_template:
      return "bad-template";
    case Reject::template_limit:
      return "template-limit";
    case Reject::bad_sample:
      return "bad-sample";
    case Reject::sampling_too_high:
      return "sampling-too-high";
    case Reject::packets_too_high:
      return "packets-too-high";
    case Reject::octets_too_high:
      return "octets-too-high";
    case Reject::count_:
      break;
  }
  return "unknown";
}

/// What one datagram held. On a rejection, records appended is 0 and the
/// caller's vector is as it was (templates learned before the bad part stay).
struct DecodeResult {
  Reject reject = Reject::none;
  std::uint32_t records = 0;      ///< records appended to the caller's vector
  std::uint32_t skipped = 0;      ///< records without addresses (non-IP sFlow samples, L2 flows)
  std::uint32_t no_template = 0;  ///< data sets whose template is unknown (their records cannot be counted)
  std::uint32_t templates = 0;    ///< templates and options templates learned or refreshed
  std::uint32_t withdrawn = 0;    ///< templates withdrawn (IPFIX)
  std::uint32_t templates_refused = 0;  ///< templates not stored: the cache was at its cap
  std::uint32_t counter_samples = 0;    ///< sFlow counter samples (counted only)
  std::uint32_t sampling_rate = 0;      ///< the last rate the datagram carried, 0 when none
  // The header's sequence number, for gap counting by the caller.
  bool has_sequence = false;
  std::uint32_t domain = 0;         ///< v5 engine, v9 source id, IPFIX domain, sFlow sub-agent
  std::uint32_t sequence = 0;       ///< as the header says
  std::uint32_t next_sequence = 0;  ///< the sequence the next datagram should carry if none is lost
  bool next_known = true;  ///< false when next_sequence cannot be known (IPFIX data without template)
};

/// Per-exporter counters, kept by the collector.
struct ExporterStats {
  std::uint64_t datagrams = 0;
  std::uint64_t records = 0;
  std::uint64_t sequence_gaps = 0;  ///< datagrams (sFlow, v9) or flows (v5, IPFIX) lost on the way
  std::uint64_t restarts = 0;       ///< sequence numbers that went backwards (exporter restarted)
  std::uint64_t no_template = 0;
  std::uint64_t counter_samples = 0;
  std::uint32_t sampling_rate = 0;  ///< the last rate seen, 0 when none yet
  std::array<std::uint64_t, kRejectReasons>
      rejected{};  ///< by Reject value: datagrams, or records past a ceiling
};

}  // namespace asncounter::flow
