// Fuzz target: the packet decoder (every captured frame reaches it). The
// first byte picks the link type, the rest is the captured frame.
#include <cstddef>
#include <cstdint>

#include "daemon/input/capture/packet_decoder.hpp"

namespace {

constexpr int kLinkTypes[] = {asncounter::linktype::ethernet,
                              asncounter::linktype::linux_sll,
                              asncounter::linktype::linux_sll2,
                              asncounter::linktype::raw,
                              asncounter::linktype::raw_file,
                              asncounter::linktype::raw_openbsd,
                              asncounter::linktype::ipv4,
                              asncounter::linktype::ipv6,
                              asncounter::linktype::null,
                              asncounter::linktype::loop,
                              105 /* IEEE 802.11: unsupported */};
constexpr std::size_t kCount = sizeof kLinkTypes / sizeof kLinkTypes[0];

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const int link = kLinkTypes[data[0] % kCount];
  const auto d = asncounter::decode_packet(link, data + 1, size - 1);
  if (d.status == asncounter::DecodeStatus::ok) {
    // An accepted packet had its whole fixed IP header captured and declares at least that much.
    const std::uint32_t header = d.source.is_v4() ? 20 : 40;
    if (size - 1 < header || d.ip_length < header) __builtin_trap();
    if (link == asncounter::linktype::ipv4 && !d.source.is_v4()) __builtin_trap();
    if (link == asncounter::linktype::ipv6 && d.source.is_v4()) __builtin_trap();
  } else if (d.status == asncounter::DecodeStatus::unsupported_link) {
    if (asncounter::link_type_supported(link)) __builtin_trap();
  }
  return 0;
}
