// The packet decoder on frames built by the pcap writer: every link type,
// VLAN stacks, IPv6, both loopback byte orders, and every way a frame can be
// short or wrong. Frames are copied into buffers of exactly caplen bytes so
// that ASan catches any read past the capture.
#include <catch2/catch.hpp>

#include <cstdint>
#include <memory>
#include <vector>

#include "common/ip.hpp"
#include "daemon/input/capture/packet_decoder.hpp"
#include "tests/tools/pcap_writer.hpp"

namespace {

using asncounter::Address;
using asncounter::DecodedPacket;
using asncounter::DecodeStatus;
using asncounter::Family;
namespace linktype = asncounter::linktype;
namespace test = asncounter::test;

const Address kSrc4 = *asncounter::parse_address("192.0.2.33");
const Address kDst4 = *asncounter::parse_address("198.51.100.7");
const Address kSrc6 = *asncounter::parse_address("2001:db8:1:2::33");
const Address kDst6 = *asncounter::parse_address("2001:db8::53");

// Decodes the first `caplen` bytes from a heap block of exactly that size.
DecodedPacket decode_exact(int link, const std::vector<std::uint8_t>& frame, std::size_t caplen) {
  auto copy = std::make_unique<std::uint8_t[]>(caplen == 0 ? 1 : caplen);
  std::copy(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(caplen), copy.get());
  return asncounter::decode_packet(link, caplen == 0 ? nullptr : copy.get(), caplen);
}

DecodedPacket decode_exact(int link, const std::vector<std::uint8_t>& frame) {
  return decode_exact(link, frame, frame.size());
}

std::vector<std::uint8_t> udp_frame(int link, bool v6, std::uint16_t payload = 64,
                                    const test::FrameOptions& options = {}) {
  return test::frame(link, test::udp_packet(v6 ? kSrc6 : kSrc4, v6 ? kDst6 : kDst4, payload), options);
}

void check_ok(const DecodedPacket& d, bool v6, std::uint16_t payload = 64) {
  REQUIRE(asncounter::to_string(d.status) == "ok");
  CHECK(d.source == (v6 ? kSrc6 : kSrc4));
  CHECK(d.ip_length == test::udp_packet_ip_length(v6 ? Family::v6 : Family::v4, payload));
}

// Link types that carry either family, with the length of their own header.
struct Link {
  int type;
  std::size_t header;
};
const Link kDualLinks[] = {{linktype::ethernet, 14}, {linktype::linux_sll, 16}, {linktype::linux_sll2, 20},
                           {linktype::raw, 0},       {linktype::raw_file, 0},   {linktype::raw_openbsd, 0},
                           {linktype::null, 4},      {linktype::loop, 4}};

}  // namespace

TEST_CASE("packet decoder: IPv4 and IPv6 on every link type", "[packet_decoder]") {
  for (const auto& link : kDualLinks) {
    for (bool v6 : {false, true}) {
      INFO("link " << link.type << (v6 ? " IPv6" : " IPv4"));
      const auto f = udp_frame(link.type, v6);
      CHECK(f.size() == link.header + test::udp_packet_ip_length(v6 ? Family::v6 : Family::v4, 64));
      check_ok(decode_exact(link.type, f), v6);
    }
  }
  CHECK(asncounter::to_string(asncounter::decode_packet(linktype::ethernet, nullptr, 0).status) ==
        "truncated");
}

TEST_CASE("packet decoder: IPV4 and IPV6 link types take one family each", "[packet_decoder]") {
  check_ok(decode_exact(linktype::ipv4, udp_frame(linktype::ipv4, false)), false);
  check_ok(decode_exact(linktype::ipv6, udp_frame(linktype::ipv6, true)), true);
  CHECK(decode_exact(linktype::ipv4, udp_frame(linktype::ipv4, true)).status == DecodeStatus::bad_version);
  CHECK(decode_exact(linktype::ipv6, udp_frame(linktype::ipv6, false)).status == DecodeStatus::bad_version);
}

TEST_CASE("packet decoder: VLAN tags, single and stacked", "[packet_decoder]") {
  const std::vector<std::vector<std::uint16_t>> stacks = {
      {0x8100}, {0x88A8, 0x8100}, {0x9100, 0x8100}, {0x88A8, 0x8100, 0x8100}};
  for (int link : {linktype::ethernet, linktype::linux_sll, linktype::linux_sll2}) {
    for (const auto& tpids : stacks) {
      for (bool v6 : {false, true}) {
        INFO("link " << link << " tags " << tpids.size() << (v6 ? " IPv6" : " IPv4"));
        test::FrameOptions options;
        options.vlan_tpids = tpids;
        const auto f = udp_frame(link, v6, 64, options);
        check_ok(decode_exact(link, f), v6);
        // Cut inside the tags: truncated, never a read past the end.
        const std::size_t ip_start = f.size() - test::udp_packet_ip_length(v6 ? Family::v6 : Family::v4, 64);
        for (std::size_t cut = 0; cut < ip_start; ++cut)
          CHECK(decode_exact(link, f, cut).status == DecodeStatus::truncated);
      }
    }
  }
  test::FrameOptions too_many;
  too_many.vlan_tpids.assign(9, 0x8100);
  CHECK(decode_exact(linktype::ethernet, udp_frame(linktype::ethernet, false, 64, too_many)).status ==
        DecodeStatus::non_ip);
  too_many.vlan_tpids.assign(8, 0x8100);
  check_ok(decode_exact(linktype::ethernet, udp_frame(linktype::ethernet, false, 64, too_many)), false);
}

TEST_CASE("packet decoder: non-IP frames are rejected as non-ip", "[packet_decoder]") {
  test::FrameOptions arp;
  arp.ethertype = 0x0806;
  const auto body = test::arp_request(kSrc4, kDst4);
  for (int link : {linktype::ethernet, linktype::linux_sll, linktype::linux_sll2}) {
    INFO("link " << link);
    CHECK(decode_exact(link, test::frame(link, body, arp)).status == DecodeStatus::non_ip);
  }
  test::FrameOptions lldp;
  lldp.ethertype = 0x88CC;
  CHECK(decode_exact(linktype::ethernet, test::frame(linktype::ethernet, body, lldp)).status ==
        DecodeStatus::non_ip);
  test::FrameOptions llc;  // an 802.3 length, not an EtherType
  llc.ethertype = 0x0040;
  CHECK(decode_exact(linktype::ethernet, test::frame(linktype::ethernet, body, llc)).status ==
        DecodeStatus::non_ip);
  test::FrameOptions other_family;
  other_family.loopback_family = 7;
  for (int link : {linktype::null, linktype::loop})
    CHECK(decode_exact(link, udp_frame(link, false, 64, other_family)).status == DecodeStatus::non_ip);
}

TEST_CASE("packet decoder: loopback family in both byte orders", "[packet_decoder]") {
  for (int link : {linktype::null, linktype::loop}) {
    for (bool swapped : {false, true}) {
      for (std::uint32_t inet6 : {10U, 24U, 28U, 30U}) {
        INFO("link " << link << " swapped " << swapped << " AF_INET6 " << inet6);
        test::FrameOptions options;
        options.loopback_swapped = swapped;
        options.loopback_inet6 = inet6;
        const auto v4 = udp_frame(link, false, 64, options);
        const auto v6 = udp_frame(link, true, 64, options);
        // The writer really put the family where the byte order says.
        CHECK(v4[swapped == (link == linktype::null) ? 3 : 0] == 2);
        check_ok(decode_exact(link, v4), false);
        check_ok(decode_exact(link, v6), true);
      }
    }
  }
}

TEST_CASE("packet decoder: every cut short of the IP header is truncated", "[packet_decoder]") {
  for (const auto& link : kDualLinks) {
    for (bool v6 : {false, true}) {
      INFO("link " << link.type << (v6 ? " IPv6" : " IPv4"));
      const auto f = udp_frame(link.type, v6, 1000);
      const std::size_t header_end = link.header + (v6 ? 40 : 20);
      for (std::size_t cut = 0; cut < header_end; ++cut) {
        INFO("caplen " << cut);
        CHECK(decode_exact(link.type, f, cut).status == DecodeStatus::truncated);
      }
      // Cut by the snap length right after the IP header: the full IP length counts.
      check_ok(decode_exact(link.type, f, header_end), v6, 1000);
    }
  }
}

TEST_CASE("packet decoder: bad versions and broken IPv4 headers", "[packet_decoder]") {
  auto v4 = test::udp_packet(kSrc4, kDst4, 40);  // long enough to pass for an IPv6 header
  auto v6 = test::udp_packet(kSrc6, kDst6, 10);
  // An IPv4 EtherType with an IPv6 packet behind it, and the reverse.
  test::FrameOptions as_v4;
  as_v4.ethertype = 0x0800;
  test::FrameOptions as_v6;
  as_v6.ethertype = 0x86DD;
  CHECK(decode_exact(linktype::ethernet, test::frame(linktype::ethernet, v6, as_v4)).status ==
        DecodeStatus::bad_version);
  CHECK(decode_exact(linktype::ethernet, test::frame(linktype::ethernet, v4, as_v6)).status ==
        DecodeStatus::bad_version);
  auto v5 = v4;
  v5[0] = 0x55;
  CHECK(decode_exact(linktype::raw, v5).status == DecodeStatus::bad_version);
  v5[0] = 0x05;
  CHECK(decode_exact(linktype::raw, v5).status == DecodeStatus::bad_version);

  auto short_ihl = v4;
  short_ihl[0] = 0x44;
  CHECK(decode_exact(linktype::raw, short_ihl).status == DecodeStatus::bad_header);
  auto short_total = v4;
  short_total[2] = 0;
  short_total[3] = 19;
  CHECK(decode_exact(linktype::raw, short_total).status == DecodeStatus::bad_header);

  // Options (IHL 6) are fine; only the fixed header must be captured.
  auto options = v4;
  options[0] = 0x46;
  const DecodedPacket d = decode_exact(linktype::raw, options, 20);
  CHECK(d.status == DecodeStatus::ok);
  CHECK(d.ip_length == 68);
}

TEST_CASE("packet decoder: unknown link types are rejected", "[packet_decoder]") {
  const auto f = udp_frame(linktype::ethernet, false);
  for (int link : {-1, 2, 105, 127, 275, 100000}) {
    CHECK_FALSE(asncounter::link_type_supported(link));
    CHECK(decode_exact(link, f).status == DecodeStatus::unsupported_link);
  }
  for (const auto& link : kDualLinks) CHECK(asncounter::link_type_supported(link.type));
  CHECK(asncounter::link_type_name(linktype::linux_sll2) == "LINUX_SLL2");
}
