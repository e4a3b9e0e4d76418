#pragma once
// Writes classic pcap files with frames built for tests: IPv4/IPv6 UDP
// packets wrapped in any link type the packet decoder reads, plus the broken
// and non-IP frames it must reject.

#include <cstdint>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/ip.hpp"

namespace asncounter::test {

/// Appends an IPv4 or IPv6 (by `src`'s family) UDP packet with `payload` zero
/// bytes to `out`; every length field is consistent.
void append_udp_packet(std::vector<std::uint8_t>& out, const Address& src, const Address& dst,
                       std::uint16_t payload, std::uint16_t src_port = 40000, std::uint16_t dst_port = 53);

/// The same packet as a fresh buffer.
std::vector<std::uint8_t> udp_packet(const Address& src, const Address& dst, std::uint16_t payload);

/// The IP length the decoder must report for udp_packet(src, ..., payload).
std::uint32_t udp_packet_ip_length(Family family, std::uint16_t payload);

/// An ARP request body (hardware type Ethernet, IPv4), to frame with EtherType 0x0806.
std::vector<std::uint8_t> arp_request(const Address& sender, const Address& target);

/// How frame() wraps a packet.
struct FrameOptions {
  std::vector<std::uint16_t> vlan_tpids;   ///< Ethernet/SLL/SLL2 tags, outermost first (0x8100, 0x88a8)
  std::optional<std::uint16_t> ethertype;  ///< overrides the type taken from the IP version (ARP: 0x0806)
  bool loopback_swapped = false;      ///< NULL/LOOP: family in the other byte order (NULL: little-endian)
  std::uint32_t loopback_inet6 = 24;  ///< NULL/LOOP: the AF_INET6 value (24, 28, 30, 10)
  std::optional<std::uint32_t> loopback_family;  ///< NULL/LOOP: overrides the family entirely
};

/// Wraps `packet` (an IP packet unless options.ethertype says otherwise) in
/// the header of `link_type` (linktype:: values of daemon/input/capture/packet_decoder.hpp).
std::vector<std::uint8_t> frame(int link_type, std::span<const std::uint8_t> packet,
                                const FrameOptions& options = {});

/// Appends frame(...) to `out` without a temporary (for writing millions).
void append_frame(std::vector<std::uint8_t>& out, int link_type, std::span<const std::uint8_t> packet,
                  const FrameOptions& options = {});

/// A classic pcap file (microsecond timestamps).
class PcapWriter {
 public:
  /// Creates `path` with `link_type` in its header, in this host's byte order
  /// or, when `swapped`, the other one; throws std::runtime_error on failure.
  PcapWriter(const std::string& path, int link_type, std::uint32_t snaplen = 65535, bool swapped = false);
  ~PcapWriter();
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;

  /// Stores at most snaplen bytes of `frame`; the record's original length is
  /// `orig_len`, or the frame's size when 0.
  void write(std::span<const std::uint8_t> frame, std::uint32_t orig_len = 0);
  /// Flushes and closes; throws std::runtime_error when the data did not reach the file.
  void close();
  /// Records written so far.
  std::uint64_t packets() const { return packets_; }

 private:
  std::FILE* file_ = nullptr;
  std::string path_;
  std::uint32_t snaplen_;
  bool swapped_;
  std::uint64_t packets_ = 0;
};

/// Writes `frames` as a pcapng file (one section, one interface of
/// `link_type`); throws std::runtime_error on failure.
void write_pcapng(const std::string& path, int link_type,
                  const std::vector<std::vector<std::uint8_t>>& frames);

}  // namespace asncounter::test
