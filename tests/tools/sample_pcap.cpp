#include "tests/tools/sample_pcap.hpp"

#include <filesystem>
#include <random>
#include <stdexcept>
#include <vector>

#include "common/ip.hpp"
#include "common/table/ipasn.hpp"
#include "tests/tools/pcap_writer.hpp"

namespace asncounter::test {
namespace {

// Draws sources: a random prefix of the family, then a random host in it, so
// every routed prefix gets traffic whatever its size.
class SourcePicker {
 public:
  SourcePicker(const std::vector<Route>& routes, std::uint64_t seed) : rng_(seed) {
    for (const auto& r : routes) (r.prefix.addr.is_v4() ? v4_ : v6_).push_back(r.prefix);
  }

  Address pick(bool v6) {
    auto& prefixes = v6 ? v6_ : v4_;
    if (prefixes.empty()) return v6 ? random_v6() : Address::from_v4(static_cast<std::uint32_t>(rng_()));
    const Prefix& p = prefixes[rng_() % prefixes.size()];
    Address a = p.addr;
    if (p.addr.is_v4()) {
      if (p.len < 32) a.v4 |= static_cast<std::uint32_t>(rng_()) & (0xFFFFFFFFU >> p.len);
    } else {
      const std::uint64_t r = rng_();
      if (p.len < 64) a.v6.hi |= r & (~std::uint64_t{0} >> p.len);
      if (p.len <= 64)
        a.v6.lo = rng_();
      else if (p.len < 128)
        a.v6.lo |= rng_() & (~std::uint64_t{0} >> (p.len - 64));
    }
    return a;
  }

 private:
  // Global unicast (2000::/3), as a real IPv6 source would be.
  Address random_v6() {
    V6 v{(rng_() >> 3) | 0x2000000000000000ULL, rng_()};
    return Address::from_v6(v);
  }

  std::mt19937_64 rng_;
  std::vector<Prefix> v4_;
  std::vector<Prefix> v6_;
};

}  // namespace

Result<SamplePcapSummary> write_sample_pcap(const std::string& path, const SamplePcapOptions& options) {
  std::vector<Route> routes;
  if (!options.table.empty()) {
    auto set = read_ipasn_file(options.table);
    if (!set) return Error{set.error()};
    routes = std::move(set->routes);
  }
  SourcePicker sources(routes, options.seed);
  std::mt19937_64 rng(options.seed ^ 0x9E3779B97F4A7C15ULL);
  std::uniform_int_distribution<unsigned> payload_size(0, options.max_payload);
  std::bernoulli_distribution is_v6(options.v6_share);
  const Address dst4 = Address::from_v4(0xC6336401);  // 198.51.100.1
  const Address dst6 = Address::from_v6(V6{0x20010DB800000000ULL, 0x53});
  SamplePcapSummary sum;
  try {
    PcapWriter writer(path, options.link_type, options.snaplen);
    std::vector<std::uint8_t> packet;
    std::vector<std::uint8_t> frame;
    for (std::uint64_t i = 0; i < options.packets; ++i) {
      const bool v6 = is_v6(rng);
      const auto payload = static_cast<std::uint16_t>(payload_size(rng));
      packet.clear();
      append_udp_packet(packet, sources.pick(v6), v6 ? dst6 : dst4, payload);
      frame.clear();
      append_frame(frame, options.link_type, packet);
      writer.write(frame);
      sum.v6_packets += v6;
      sum.ip_bytes += udp_packet_ip_length(v6 ? Family::v6 : Family::v4, payload);
    }
    writer.close();
    sum.packets = writer.packets();
  } catch (const std::exception& e) {
    return Error{e.what()};
  }
  sum.file_bytes = std::filesystem::file_size(path);
  return sum;
}

}  // namespace asncounter::test
