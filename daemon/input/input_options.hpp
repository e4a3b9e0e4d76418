#pragma once
// How inputs read: the settings every input kind takes, filled from the
// options by one wiring function (daemon/config/input_settings.hpp).

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace asncounter {

/// Which packets pcap inputs count (--direction); names in kDirectionNames.
enum class PcapDirection : std::uint8_t { in, out, inout, count_ };
/// The names of PcapDirection, indexed by its value.
inline constexpr std::array<std::string_view, 3> kDirectionNames = {"in", "out", "inout"};
static_assert(kDirectionNames.size() == static_cast<std::size_t>(PcapDirection::count_),
              "a direction without a name");
constexpr std::string_view name_of(PcapDirection d) { return kDirectionNames[static_cast<std::size_t>(d)]; }

/// How inputs read; every field has a config key (daemon/config/options.hpp).
struct InputOptions {
  std::string format = "plain";                 ///< line format (daemon/input/lines/line_format.hpp)
  std::string bpf_filter;                       ///< pcap: BPF filter expression
  PcapDirection direction = PcapDirection::in;  ///< pcap: which packets count
  bool once = false;                            ///< read to the end and finish (no tail -F, no FIFO reopen)
  unsigned threads = 1;             ///< line inputs parse on up to this many (parallel_lines, line_offload)
  bool flow_destination = false;    ///< flows: count the destination address, not the source
  std::uint32_t flow_sampling = 1;  ///< flows: the rate for exporters that send none
  std::string
      flow_exporters;  ///< flows: who may send (CIDRs, comma or space separated; empty: loopback only)
  std::uint32_t flow_max_sampling = 65536;  ///< flows: records claiming a higher rate are refused
  std::string flow_sampling_overrides;      ///< flows: "PREFIX=RATE, ..." rates that win over the exporter's
  std::size_t flow_rcvbuf = std::size_t{32} << 20;  ///< flows: receive buffer asked of the kernel
};

}  // namespace asncounter
