#pragma once
// Pulls the source address and the IP length out of one captured frame.
// Captured bytes are untrusted: the decoder never reads past caplen, never
// throws and never allocates; it runs once per packet on the hot path.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/ip.hpp"

namespace asncounter {

/// Link types the decoder understands: libpcap's DLT_* values as pcap_datalink()
/// returns them on Linux, plus the LINKTYPE_* file values that differ.
namespace linktype {
inline constexpr int null = 0;          ///< BSD loopback, family in the writer's byte order
inline constexpr int ethernet = 1;      ///< Ethernet II, 802.1Q / 802.1ad tags (stacked)
inline constexpr int raw = 12;          ///< DLT_RAW on Linux: bare IPv4 or IPv6
inline constexpr int raw_openbsd = 14;  ///< DLT_RAW as OpenBSD numbers it
inline constexpr int raw_file = 101;    ///< LINKTYPE_RAW, the value stored in files
inline constexpr int loop = 108;        ///< OpenBSD loopback, family in network order
inline constexpr int linux_sll = 113;   ///< Linux cooked capture v1 ("any" before libpcap 1.10)
inline constexpr int ipv4 = 228;        ///< bare IPv4 only
inline constexpr int ipv6 = 229;        ///< bare IPv6 only
inline constexpr int linux_sll2 = 276;  ///< Linux cooked capture v2
}  // namespace linktype

/// Why a frame was not counted (ok when it was).
enum class DecodeStatus : std::uint8_t {
  ok,
  non_ip,            ///< ARP, LLDP, an unknown loopback family, ...
  truncated,         ///< the capture ends before the IP header does
  bad_version,       ///< the IP version nibble disagrees with the link layer
  bad_header,        ///< IPv4 IHL < 5 or a total length shorter than the header
  unsupported_link,  ///< a link type this decoder does not know
};

/// What one frame carried: valid when status is ok.
struct DecodedPacket {
  DecodeStatus status = DecodeStatus::unsupported_link;
  std::uint32_t ip_length = 0;  ///< IPv4 total length, or IPv6 payload length + 40
  Address source;
  Address destination;  ///< for sFlow's raw header records (flow-address = dst)
};

/// True when decode_packet() knows `link_type`.
bool link_type_supported(int link_type) noexcept;

/// A short name for a link type ("EN10MB", "LINUX_SLL2", ...), for messages.
std::string_view link_type_name(int link_type) noexcept;

/// A short name for a status ("ok", "non-ip", "truncated", ...).
std::string_view to_string(DecodeStatus status) noexcept;

/// Decodes `caplen` captured bytes of a frame of `link_type`. The IP length
/// comes from the IP header, so a frame cut short by the snap length still
/// counts its full size as long as its IP header was captured.
DecodedPacket decode_packet(int link_type, const std::uint8_t* data, std::size_t caplen) noexcept;

}  // namespace asncounter
