// Offline pcap replay through the real packet input (libpcap read, decode,
// batching) into a sink that only counts: packets per second on one core.
//   bench_pcap_replay [--packets N] [--table IPASN_FILE] [--runs R] [FILE.pcap]
// Without a file it writes /tmp/asncounter-bench-replay-N.pcap first (seeded,
// 20 % IPv6, sources from the shared ipasn6 table when present).
#include <pcap/pcap.h>
#include <sched.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "daemon/input/capture/packet_decoder.hpp"
#include "daemon/input/input.hpp"
#include "tests/bench/cpu_clock.hpp"
#include "tests/support/test_support.hpp"
#include "tests/tools/sample_pcap.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

struct Totals {
  std::uint64_t hits = 0;
  std::uint64_t bytes = 0;
};

// The whole input: make_input("pcap-file:..."), its thread, batches to a sink.
Totals replay_input(const std::string& path, double& secs, double& cpu) {
  Totals t;
  auto input = asncounter::make_input("pcap-file:" + path, asncounter::InputOptions{});
  if (!input) {
    std::fprintf(stderr, "%s\n", input.error().c_str());
    std::exit(1);
  }
  const auto start = Clock::now();
  const double cpu_start = asncounter::bench::process_cpu_seconds();
  (*input)->start([&t](const asncounter::EventBatch& b) {
    for (std::size_t i = 0; i < b.size; ++i) {
      t.hits += b.hits[i];
      t.bytes += b.bytes[i];
    }
  });
  (*input)->wait();
  secs = seconds_since(start);
  cpu = asncounter::bench::process_cpu_seconds() - cpu_start;
  (*input)->stop();
  return t;
}

// libpcap's file reading alone: the floor under the figure above.
std::uint64_t read_only(const std::string& path, double& secs) {
  char errbuf[PCAP_ERRBUF_SIZE];
  pcap_t* p = pcap_open_offline(path.c_str(), errbuf);
  if (!p) return 0;
  std::uint64_t n = 0;
  std::uint64_t caplen_sum = 0;
  pcap_pkthdr* h = nullptr;
  const u_char* data = nullptr;
  const auto start = Clock::now();
  while (pcap_next_ex(p, &h, &data) == 1) {
    ++n;
    caplen_sum += h->caplen;
  }
  secs = seconds_since(start);
  pcap_close(p);
  return caplen_sum ? n : 0;
}

}  // namespace

int main(int argc, char** argv) {
  asncounter::test::SamplePcapOptions options;
  options.packets = 10000000;
  int runs = 3;
  std::string path;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--packets" && i + 1 < argc)
      options.packets = std::strtoull(argv[++i], nullptr, 10);
    else if (arg == "--table" && i + 1 < argc)
      options.table = argv[++i];
    else if (arg == "--runs" && i + 1 < argc)
      runs = std::atoi(argv[++i]);
    else
      path = arg;
  }
  // One core: the input thread inherits this affinity.
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(0, &one);
  sched_setaffinity(0, sizeof one, &one);

  std::uint64_t expected_bytes = 0;
  if (path.empty()) {
    if (options.table.empty())
      if (auto t = asncounter::test::shared_data("ipasn6_20151101.dat.gz")) options.table = t->string();
    path = "/tmp/asncounter-bench-replay-" + std::to_string(options.packets) + ".pcap";
    std::printf("writing %s (%llu packets, table %s)\n", path.c_str(),
                static_cast<unsigned long long>(options.packets),
                options.table.empty() ? "none: random sources" : options.table.c_str());
    const auto start = Clock::now();
    auto written = asncounter::test::write_sample_pcap(path, options);
    if (!written) {
      std::fprintf(stderr, "%s\n", written.error().c_str());
      return 1;
    }
    expected_bytes = written->ip_bytes;
    std::printf("written in %.1f s: %.0f MB, %llu IPv6\n", seconds_since(start),
                static_cast<double>(written->file_bytes) / 1e6,
                static_cast<unsigned long long>(written->v6_packets));
  }

  double secs = 0;
  const std::uint64_t raw = read_only(path, secs);  // also warms the page cache
  std::printf("libpcap read alone:   %llu packets in %.3f s: %6.2f M packets/s\n",
              static_cast<unsigned long long>(raw), secs, static_cast<double>(raw) / secs / 1e6);
  double best = 0;
  double best_cpu = 0;
  for (int r = 1; r <= runs; ++r) {
    double cpu = 0;
    const Totals t = replay_input(path, secs, cpu);
    const double rate = static_cast<double>(t.hits) / secs / 1e6;
    const double cpu_rate = static_cast<double>(t.hits) / cpu / 1e6;
    best = rate > best ? rate : best;
    best_cpu = cpu_rate > best_cpu ? cpu_rate : best_cpu;
    std::printf(
        "input replay, run %d: %llu packets in %.3f s (%.3f s CPU): %6.2f M packets/s, %6.2f M per "
        "CPU-second%s\n",
        r, static_cast<unsigned long long>(t.hits), secs, cpu, rate, cpu_rate,
        expected_bytes == 0 ? "" : (t.bytes == expected_bytes ? " (bytes match)" : " (BYTES DIFFER)"));
    if (expected_bytes != 0 && t.bytes != expected_bytes) return 1;
  }
  std::printf("best: %.2f M packets/s wall clock, %.2f M per CPU-second, on one core (target >= 10)\n", best,
              best_cpu);
  return 0;
}
