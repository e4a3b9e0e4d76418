#pragma once
// A large, seeded capture for the replay benchmark and `make_pcap`: UDP
// packets whose sources are drawn from a routing table (so they look like real
// traffic to the counter) or at random.

#include <cstdint>
#include <string>

#include "common/result.hpp"

namespace asncounter::test {

/// What write_sample_pcap() writes.
struct SamplePcapOptions {
  std::uint64_t packets = 1000000;
  double v6_share = 0.2;             ///< fraction of IPv6 packets
  std::uint64_t seed = 1;            ///< same seed, same file
  std::string table;                 ///< ipasn file to draw sources from; random addresses when empty
  int link_type = 1;                 ///< linktype:: value (Ethernet by default)
  std::uint32_t snaplen = 64;        ///< headers only, as a live capture stores them
  std::uint16_t max_payload = 1200;  ///< UDP payload sizes are uniform in [0, max_payload]
};

/// What was written: the totals a replay must reproduce.
struct SamplePcapSummary {
  std::uint64_t packets = 0;
  std::uint64_t v6_packets = 0;
  std::uint64_t ip_bytes = 0;  ///< sum of the IP lengths
  std::uint64_t file_bytes = 0;
};

/// Writes the capture to `path`; the error names the table or the file.
Result<SamplePcapSummary> write_sample_pcap(const std::string& path, const SamplePcapOptions& options);

}  // namespace asncounter::test
