#include "daemon/input/capture/packet_decoder.hpp"

#include <bit>
#include <cstring>

namespace asncounter {
namespace {

constexpr std::uint16_t kEtherIPv4 = 0x0800;
constexpr std::uint16_t kEtherIPv6 = 0x86DD;
constexpr std::uint16_t kEther8021Q = 0x8100;
constexpr std::uint16_t kEther8021AD = 0x88A8;
constexpr std::uint16_t kEtherQinQLegacy = 0x9100;  // pre-802.1ad QinQ some switches still send
// More tags than any real network stacks; the bound keeps a hostile frame
// from walking the whole snap length four bytes at a time.
constexpr int kMaxVlanTags = 8;

constexpr std::size_t kIPv4MinHeader = 20;
constexpr std::size_t kIPv6Header = 40;

// Loopback address families: AF_INET is 2 everywhere, AF_INET6 differs by OS
// (Linux 10, OpenBSD/NetBSD 24, FreeBSD 28, macOS 30).
constexpr std::uint32_t kBsdInet = 2;

// std::byteswap is C++23; these are what it would compile to.
inline std::uint16_t bswap(std::uint16_t v) noexcept { return __builtin_bswap16(v); }
inline std::uint32_t bswap(std::uint32_t v) noexcept { return __builtin_bswap32(v); }
inline std::uint64_t bswap(std::uint64_t v) noexcept { return __builtin_bswap64(v); }

template <class T>
T load_be(const std::uint8_t* p) noexcept {
  T v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::little) v = bswap(v);
  return v;
}

DecodedPacket reject(DecodeStatus why) noexcept {
  DecodedPacket d;
  d.status = why;
  return d;
}

DecodedPacket decode_ipv4(const std::uint8_t* p, std::size_t len) noexcept {
  if (len < kIPv4MinHeader) return reject(DecodeStatus::truncated);
  if ((p[0] >> 4) != 4) return reject(DecodeStatus::bad_version);
  const unsigned header = (p[0] & 0x0FU) * 4U;
  const std::uint16_t total = load_be<std::uint16_t>(p + 2);
  if (header < kIPv4MinHeader || total < header) return reject(DecodeStatus::bad_header);
  DecodedPacket d;
  d.status = DecodeStatus::ok;
  d.ip_length = total;
  d.source = Address::from_v4(load_be<std::uint32_t>(p + 12));
  d.destination = Address::from_v4(load_be<std::uint32_t>(p + 16));
  return d;
}

DecodedPacket decode_ipv6(const std::uint8_t* p, std::size_t len) noexcept {
  if (len < kIPv6Header) return reject(DecodeStatus::truncated);
  if ((p[0] >> 4) != 6) return reject(DecodeStatus::bad_version);
  DecodedPacket d;
  d.status = DecodeStatus::ok;
  // A jumbogram (payload length 0, RFC 2675) counts as its fixed header only.
  d.ip_length = std::uint32_t{load_be<std::uint16_t>(p + 4)} + std::uint32_t{kIPv6Header};
  d.source = Address::from_v6(V6{load_be<std::uint64_t>(p + 8), load_be<std::uint64_t>(p + 16)});
  d.destination = Address::from_v6(V6{load_be<std::uint64_t>(p + 24), load_be<std::uint64_t>(p + 32)});
  return d;
}

DecodedPacket decode_ip(const std::uint8_t* p, std::size_t len) noexcept {
  if (len == 0) return reject(DecodeStatus::truncated);
  switch (p[0] >> 4) {
    case 4:
      return decode_ipv4(p, len);
    case 6:
      return decode_ipv6(p, len);
    default:
      return reject(DecodeStatus::bad_version);
  }
}

bool is_vlan(std::uint16_t type) noexcept {
  return type == kEther8021Q || type == kEther8021AD || type == kEtherQinQLegacy;
}

// An EtherType at `type_at` announcing the payload at `payload_at`. A VLAN
// tag puts its TCI at the payload and the next EtherType right after it;
// libpcap re-inserts stripped tags this way for Ethernet and cooked captures.
DecodedPacket decode_ethertype(const std::uint8_t* p, std::size_t caplen, std::size_t type_at,
                               std::size_t payload_at) noexcept {
  for (int tags = 0;; ++tags) {
    if (caplen < payload_at) return reject(DecodeStatus::truncated);
    const std::uint16_t type = load_be<std::uint16_t>(p + type_at);
    if (type == kEtherIPv4) return decode_ipv4(p + payload_at, caplen - payload_at);
    if (type == kEtherIPv6) return decode_ipv6(p + payload_at, caplen - payload_at);
    if (!is_vlan(type) || tags == kMaxVlanTags) return reject(DecodeStatus::non_ip);
    type_at = payload_at + 2;
    payload_at += 4;
  }
}

// DLT_NULL stores the family in the capturing host's byte order, DLT_LOOP in
// network order, and writers get both wrong: a family never exceeds 16 bits,
// so a value that does was written the other way round.
DecodedPacket decode_loopback(const std::uint8_t* p, std::size_t caplen) noexcept {
  if (caplen < 4) return reject(DecodeStatus::truncated);
  std::uint32_t family;
  std::memcpy(&family, p, sizeof family);
  if (family > 0xFFFFU) family = bswap(family);
  if (family == kBsdInet) return decode_ipv4(p + 4, caplen - 4);
  if (family == 10 || family == 24 || family == 28 || family == 30) return decode_ipv6(p + 4, caplen - 4);
  return reject(DecodeStatus::non_ip);
}

}  // namespace

bool link_type_supported(int link_type) noexcept { return link_type_name(link_type) != "unknown"; }

std::string_view link_type_name(int link_type) noexcept {
  switch (link_type) {
    case linktype::null:
      return "NULL";
    case linktype::ethernet:
      return "EN10MB";
    case linktype::raw:
    case linktype::raw_openbsd:
    case linktype::raw_file:
      return "RAW";
    case linktype::loop:
      return "LOOP";
    case linktype::linux_sll:
      return "LINUX_SLL";
    case linktype::ipv4:
      return "IPV4";
    case linktype::ipv6:
      return "IPV6";
    case linktype::linux_sll2:
      return "LINUX_SLL2";
    default:
      return "unknown";
  }
}

std::string_view to_string(DecodeStatus status) noexcept {
  switch (status) {
    case DecodeStatus::ok:
      return "ok";
    case DecodeStatus::non_ip:
      return "non-ip";
    case DecodeStatus::truncated:
      return "truncated";
    case DecodeStatus::bad_version:
      return "bad-version";
    case DecodeStatus::bad_header:
      return "bad-header";
    case DecodeStatus::unsupported_link:
      return "unsupported-link";
  }
  return "unknown";
}

DecodedPacket decode_packet(int link_type, const std::uint8_t* data, std::size_t caplen) noexcept {
  switch (link_type) {
    case linktype::ethernet:
      return decode_ethertype(data, caplen, 12, 14);
    case linktype::linux_sll:
      return decode_ethertype(data, caplen, 14, 16);
    case linktype::linux_sll2:
      return decode_ethertype(data, caplen, 0, 20);
    case linktype::raw:
    case linktype::raw_openbsd:
    case linktype::raw_file:
      return decode_ip(data, caplen);
    case linktype::ipv4:
      return decode_ipv4(data, caplen);
    case linktype::ipv6:
      return decode_ipv6(data, caplen);
    case linktype::null:
    case linktype::loop:
      return decode_loopback(data, caplen);
    default:
      return reject(DecodeStatus::unsupported_link);
  }
}

}  // namespace asncounter
