// make_pcap: writes a seeded N-packet capture for the replay benchmark.
//   make_pcap [--packets N] [--v6-share F] [--seed S] [--table IPASN_FILE]
//             [--link ethernet|sll|sll2|raw|null|loop] [--snaplen N] OUT.pcap
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "daemon/input/capture/packet_decoder.hpp"
#include "tests/tools/sample_pcap.hpp"

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: make_pcap [--packets N] [--v6-share F] [--seed S] [--table IPASN_FILE]\n"
               "                 [--link ethernet|sll|sll2|raw|null|loop] [--snaplen N] OUT.pcap\n");
  return 2;
}

const std::map<std::string, int> kLinks = {
    {"ethernet", asncounter::linktype::ethernet}, {"sll", asncounter::linktype::linux_sll},
    {"sll2", asncounter::linktype::linux_sll2},   {"raw", asncounter::linktype::raw_file},
    {"null", asncounter::linktype::null},         {"loop", asncounter::linktype::loop}};

}  // namespace

int main(int argc, char** argv) {
  asncounter::test::SamplePcapOptions options;
  std::string out;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--packets" && has_value) {
      options.packets = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--v6-share" && has_value) {
      options.v6_share = std::strtod(argv[++i], nullptr);
    } else if (arg == "--seed" && has_value) {
      options.seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--table" && has_value) {
      options.table = argv[++i];
    } else if (arg == "--snaplen" && has_value) {
      options.snaplen = static_cast<std::uint32_t>(std::strtoul(argv[++i], nullptr, 10));
    } else if (arg == "--link" && has_value) {
      auto it = kLinks.find(argv[++i]);
      if (it == kLinks.end()) return usage();
      options.link_type = it->second;
    } else if (!arg.starts_with("--") && out.empty()) {
      out = arg;
    } else {
      return usage();
    }
  }
  if (out.empty() || options.v6_share < 0 || options.v6_share > 1) return usage();
  auto written = asncounter::test::write_sample_pcap(out, options);
  if (!written) {
    std::fprintf(stderr, "make_pcap: %s\n", written.error().c_str());
    return 1;
  }
  std::printf("packets %llu v6 %llu ip_bytes %llu file_bytes %llu\n",
              static_cast<unsigned long long>(written->packets),
              static_cast<unsigned long long>(written->v6_packets),
              static_cast<unsigned long long>(written->ip_bytes),
              static_cast<unsigned long long>(written->file_bytes));
  return 0;
}
