#include "tests/tools/pcap_writer.hpp"

#include <stdexcept>

#include "daemon/input/capture/packet_decoder.hpp"

namespace asncounter::test {
namespace {

constexpr std::uint16_t kEtherIPv4 = 0x0800;
constexpr std::uint16_t kEtherIPv6 = 0x86DD;
constexpr std::uint16_t kEtherArp = 0x0806;
constexpr std::uint8_t kProtoUdp = 17;

void put8(std::vector<std::uint8_t>& out, unsigned v) { out.push_back(static_cast<std::uint8_t>(v)); }
void put16(std::vector<std::uint8_t>& out, unsigned v) {
  put8(out, (v >> 8) & 0xFFU);
  put8(out, v & 0xFFU);
}
void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  put16(out, v >> 16);
  put16(out, v & 0xFFFFU);
}
void put64(std::vector<std::uint8_t>& out, std::uint64_t v) {
  put32(out, static_cast<std::uint32_t>(v >> 32));
  put32(out, static_cast<std::uint32_t>(v));
}
void put_address(std::vector<std::uint8_t>& out, const Address& a) {
  if (a.is_v4()) return put32(out, a.v4);
  put64(out, a.v6.hi);
  put64(out, a.v6.lo);
}

// The header checksum, so that tcpdump and wireshark show the files as clean.
void fill_ipv4_checksum(std::vector<std::uint8_t>& out, std::size_t start) {
  std::uint32_t sum = 0;
  for (std::size_t i = start; i < start + 20; i += 2) sum += (unsigned{out[i]} << 8) | out[i + 1];
  while (sum > 0xFFFFU) sum = (sum & 0xFFFFU) + (sum >> 16);
  const auto check = static_cast<std::uint16_t>(~sum);
  out[start + 10] = static_cast<std::uint8_t>(check >> 8);
  out[start + 11] = static_cast<std::uint8_t>(check & 0xFFU);
}

void put_family(std::vector<std::uint8_t>& out, std::uint32_t family, bool big_endian) {
  if (big_endian) return put32(out, family);
  for (int i = 0; i < 4; ++i) put8(out, (family >> (8 * i)) & 0xFFU);
}

std::uint16_t ethertype_of(std::span<const std::uint8_t> packet, const FrameOptions& options) {
  if (options.ethertype) return *options.ethertype;
  return !packet.empty() && (packet[0] >> 4) == 6 ? kEtherIPv6 : kEtherIPv4;
}

// Each tag after the first type field: its TCI (VLAN ids 100, 101, ...), then
// the type of what follows it.
void put_tag_chain(std::vector<std::uint8_t>& out, const std::vector<std::uint16_t>& tpids,
                   std::uint16_t inner) {
  for (std::size_t i = 0; i < tpids.size(); ++i) {
    put16(out, static_cast<unsigned>(100 + i));
    put16(out, i + 1 < tpids.size() ? tpids[i + 1] : inner);
  }
}

}  // namespace

void append_udp_packet(std::vector<std::uint8_t>& out, const Address& src, const Address& dst,
                       std::uint16_t payload, std::uint16_t src_port, std::uint16_t dst_port) {
  const unsigned udp_length = 8U + payload;
  if (src.is_v4()) {
    if (udp_length + 20 > 0xFFFF) throw std::invalid_argument("IPv4 packet over 65535 bytes");
    const std::size_t start = out.size();
    put8(out, 0x45);
    put8(out, 0);
    put16(out, udp_length + 20);
    put32(out, 0x12340000);  // identification, no fragmentation
    put8(out, 64);
    put8(out, kProtoUdp);
    put16(out, 0);
    put_address(out, src);
    put_address(out, dst);
    fill_ipv4_checksum(out, start);
  } else {
    if (udp_length > 0xFFFF) throw std::invalid_argument("IPv6 payload over 65535 bytes");
    put32(out, 0x60000000);
    put16(out, udp_length);
    put8(out, kProtoUdp);
    put8(out, 64);
    put_address(out, src);
    put_address(out, dst);
  }
  put16(out, src_port);
  put16(out, dst_port);
  put16(out, udp_length);
  put16(out, 0);  // no UDP checksum: fine for IPv4, and nothing here verifies it
  out.resize(out.size() + payload, 0);
}

std::vector<std::uint8_t> udp_packet(const Address& src, const Address& dst, std::uint16_t payload) {
  std::vector<std::uint8_t> out;
  append_udp_packet(out, src, dst, payload);
  return out;
}

std::uint32_t udp_packet_ip_length(Family family, std::uint16_t payload) {
  return (family == Family::v4 ? 20U : 40U) + 8U + payload;
}

std::vector<std::uint8_t> arp_request(const Address& sender, const Address& target) {
  std::vector<std::uint8_t> out;
  put16(out, 1);       // Ethernet
  put16(out, 0x0800);  // IPv4
  put8(out, 6);
  put8(out, 4);
  put16(out, 1);  // request
  for (unsigned b : {0x02, 0, 0, 0, 0, 1}) put8(out, b);
  put_address(out, sender);
  for (int i = 0; i < 6; ++i) put8(out, 0);
  put_address(out, target);
  return out;
}

void append_frame(std::vector<std::uint8_t>& out, int link_type, std::span<const std::uint8_t> packet,
                  const FrameOptions& options) {
  const std::uint16_t inner = ethertype_of(packet, options);
  const std::uint16_t first = options.vlan_tpids.empty() ? inner : options.vlan_tpids.front();
  switch (link_type) {
    case linktype::ethernet:
      for (unsigned b : {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1}) put8(out, b);
      put16(out, first);
      put_tag_chain(out, options.vlan_tpids, inner);
      break;
    case linktype::linux_sll:
      put16(out, 0);  // sent to us
      put16(out, 1);  // ARPHRD_ETHER
      put16(out, 6);
      for (unsigned b : {0x02, 0, 0, 0, 0, 1, 0, 0}) put8(out, b);
      put16(out, first);
      put_tag_chain(out, options.vlan_tpids, inner);
      break;
    case linktype::linux_sll2:
      put16(out, first);
      put16(out, 0);  // reserved
      put32(out, 2);  // interface index
      put16(out, 1);  // ARPHRD_ETHER
      put8(out, 0);   // sent to us
      put8(out, 6);
      for (unsigned b : {0x02, 0, 0, 0, 0, 1, 0, 0}) put8(out, b);
      put_tag_chain(out, options.vlan_tpids, inner);
      break;
    case linktype::null:
    case linktype::loop: {
      const bool v6 = !packet.empty() && (packet[0] >> 4) == 6;
      const std::uint32_t family = options.loopback_family.value_or(v6 ? options.loopback_inet6 : 2U);
      // NULL as a little-endian (x86) writer stores it, LOOP in network order.
      const bool big = (link_type == linktype::loop) != options.loopback_swapped;
      put_family(out, family, big);
      break;
    }
    default:
      break;  // raw link types: the packet itself
  }
  out.insert(out.end(), packet.begin(), packet.end());
}

std::vector<std::uint8_t> frame(int link_type, std::span<const std::uint8_t> packet,
                                const FrameOptions& options) {
  std::vector<std::uint8_t> out;
  append_frame(out, link_type, packet, options);
  return out;
}

PcapWriter::PcapWriter(const std::string& path, int link_type, std::uint32_t snaplen, bool swapped)
    : path_(path), snaplen_(snaplen), swapped_(swapped) {
  file_ = std::fopen(path.c_str(), "wb");
  if (!file_) throw std::runtime_error("cannot create " + path);
  auto order32 = [&](std::uint32_t v) { return swapped ? __builtin_bswap32(v) : v; };
  auto order16 = [&](std::uint16_t v) { return swapped ? __builtin_bswap16(v) : v; };
  struct {
    std::uint32_t magic;
    std::uint16_t major;
    std::uint16_t minor;
    std::uint32_t zone = 0;
    std::uint32_t sigfigs = 0;
    std::uint32_t snaplen;
    std::uint32_t link;
  } header{};
  header.magic = order32(0xA1B2C3D4);
  header.major = order16(2);
  header.minor = order16(4);
  header.snaplen = order32(snaplen);
  header.link = order32(static_cast<std::uint32_t>(link_type));
  if (std::fwrite(&header, sizeof header, 1, file_) != 1) throw std::runtime_error("cannot write " + path);
}

PcapWriter::~PcapWriter() {
  if (file_) std::fclose(file_);
}

void PcapWriter::write(std::span<const std::uint8_t> frame, std::uint32_t orig_len) {
  const auto size = static_cast<std::uint32_t>(frame.size());
  const std::uint32_t caplen = size < snaplen_ ? size : snaplen_;
  // One record per microsecond from the epoch: deterministic files.
  std::uint32_t record[4] = {static_cast<std::uint32_t>(packets_ / 1000000),
                             static_cast<std::uint32_t>(packets_ % 1000000), caplen,
                             orig_len ? orig_len : size};
  if (swapped_)
    for (auto& field : record) field = __builtin_bswap32(field);
  if (std::fwrite(record, sizeof record, 1, file_) != 1 ||
      (caplen && std::fwrite(frame.data(), caplen, 1, file_) != 1))
    throw std::runtime_error("cannot write " + path_);
  ++packets_;
}

void PcapWriter::close() {
  if (!file_) return;
  const bool ok = std::fflush(file_) == 0;
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  if (!ok || !closed) throw std::runtime_error("cannot write " + path_);
}

namespace {

void put_le32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

// A pcapng block: type, total length, body padded to 4 bytes, total length again.
void put_block(std::vector<std::uint8_t>& out, std::uint32_t type, const std::vector<std::uint8_t>& body) {
  const std::size_t padded = (body.size() + 3) & ~std::size_t{3};
  const auto total = static_cast<std::uint32_t>(12 + padded);
  put_le32(out, type);
  put_le32(out, total);
  out.insert(out.end(), body.begin(), body.end());
  out.resize(out.size() + padded - body.size(), 0);
  put_le32(out, total);
}

}  // namespace

void write_pcapng(const std::string& path, int link_type,
                  const std::vector<std::vector<std::uint8_t>>& frames) {
  std::vector<std::uint8_t> out;
  std::vector<std::uint8_t> body;
  put_le32(body, 0x1A2B3C4D);  // byte-order magic
  put_le32(body, 1);           // version 1.0
  put_le32(body, 0xFFFFFFFF);  // section length unknown (64 bits)
  put_le32(body, 0xFFFFFFFF);
  put_block(out, 0x0A0D0D0A, body);
  body.clear();
  put_le32(body, static_cast<std::uint32_t>(link_type) & 0xFFFFU);  // link type, reserved
  put_le32(body, 65535);
  put_block(out, 1, body);
  for (std::size_t i = 0; i < frames.size(); ++i) {
    body.clear();
    put_le32(body, 0);  // interface 0
    put_le32(body, 0);  // timestamp, high and low
    put_le32(body, static_cast<std::uint32_t>(i));
    put_le32(body, static_cast<std::uint32_t>(frames[i].size()));
    put_le32(body, static_cast<std::uint32_t>(frames[i].size()));
    body.insert(body.end(), frames[i].begin(), frames[i].end());
    put_block(out, 6, body);
  }
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throw std::runtime_error("cannot create " + path);
  const bool ok = std::fwrite(out.data(), out.size(), 1, f) == 1;
  if (std::fclose(f) != 0 || !ok) throw std::runtime_error("cannot write " + path);
}

}  // namespace asncounter::test
