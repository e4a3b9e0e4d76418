#pragma once
// The pcap_t* owner and the ways we open one: a live capture set up for
// counting (small snap length, filter, direction, non-blocking) or a file.
// Only the pcap input and its tests include this (it pulls in pcap.h).

#include <pcap/pcap.h>

#include <memory>
#include <string>

#include "common/result.hpp"
#include "daemon/input/input_options.hpp"

namespace asncounter {

struct PcapCloser {
  void operator()(pcap_t* p) const noexcept { pcap_close(p); }
};

/// Owns one libpcap handle.
using PcapHandle = std::unique_ptr<pcap_t, PcapCloser>;

struct BpfFreer {
  void operator()(bpf_program* p) const noexcept {
    pcap_freecode(p);
    delete p;
  }
};

/// Owns a compiled BPF program (for records read without a live handle).
using BpfProgramPtr = std::unique_ptr<bpf_program, BpfFreer>;

/// Only headers are decoded: Ethernet + two VLAN tags + IPv6 fit with room
/// for what a BPF filter on ports looks at.
inline constexpr int kLiveSnaplen = 128;
/// TPACKET_V3 hands a block over after this long even when it is not full:
/// the most a quiet link delays its counts.
inline constexpr int kLiveTimeoutMs = 100;
/// Kernel ring size: ~100k headers, enough to ride out a scheduling hiccup at 1 Mpps.
inline constexpr int kLiveBufferBytes = 16 << 20;

/// Fails, naming `what` (a file or interface), unless the decoder reads link type `dlt`.
Result<void> check_link_type(const std::string& what, int dlt);

/// libpcap's name for a direction option.
pcap_direction_t to_pcap(PcapDirection d);

/// Checks that `filter` compiles (against Ethernet, before any interface is open).
Result<void> check_filter(const std::string& filter);

/// Opens interface `name` for capture: activated, on a link type the packet
/// decoder supports, direction and filter set, non-blocking.
Result<PcapHandle> open_live(const std::string& name, const std::string& filter, pcap_direction_t direction);

/// Compiles `filter` for packets of link type `dlt`; null when `filter` is empty.
Result<BpfProgramPtr> compile_filter_for(int dlt, const std::string& filter);

/// Opens a capture file (pcap or pcapng) and sets `filter` on it.
Result<PcapHandle> open_file(const std::string& path, const std::string& filter);

}  // namespace asncounter
