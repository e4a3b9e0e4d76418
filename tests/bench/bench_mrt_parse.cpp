// MRT parse throughput in MB/s of uncompressed input, straight from the
// compressed file (what a refresh costs) and from a plain copy (the parser
// alone). Prints wall and CPU time: CPU time is what the machine's other
// tenants cannot inflate. tests/bench/mrt_vs_pyasn.sh times pyasn beside it.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "common/table/byte_stream.hpp"
#include "common/table/mrt_reader.hpp"
#include "tests/bench/cpu_clock.hpp"
#include "tests/support/test_support.hpp"
#include "tests/tools/synthetic_rib.hpp"

namespace {

struct Run {
  double wall, cpu;
  std::uint64_t bytes;
  std::size_t routes;
};

Run parse(const std::string& path) {
  auto t0 = std::chrono::steady_clock::now();
  double c0 = asncounter::bench::process_cpu_seconds();
  auto in = asncounter::ByteStream::open(path);
  if (!in) throw std::runtime_error(in.error());
  auto set = asncounter::read_mrt(**in, path);
  if (!set) throw std::runtime_error(set.error());
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return {wall, asncounter::bench::process_cpu_seconds() - c0, (*in)->offset(), set->routes.size()};
}

void report(const char* what, const Run& r) {
  double mb = static_cast<double>(r.bytes) / 1e6;
  std::printf("%-24s %9.1f MB  %8zu prefixes  wall %7.3f s  cpu %7.3f s  %8.1f MB/s (cpu)\n", what, mb,
              r.routes, r.wall, r.cpu, mb / r.cpu);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    asncounter::test::TempDir dir;
    std::string file;
    if (argc > 1 && std::string(argv[1]) != "--help") {
      file = argv[1];
    } else if (argc > 1) {
      std::puts(
          "usage: bench_mrt_parse [RIB]   (default: a synthetic 200k IPv4 + 46k IPv6 x 8 peers RIB, gzip)");
      return 0;
    } else {
      file = (dir / "synthetic.gz").string();
      asncounter::test::SyntheticRibOptions o;
      o.v4 = 200000;
      o.v6 = 46000;
      asncounter::test::write_synthetic_rib(file, asncounter::test::Packing::gzip, o);
    }
    Run packed = parse(file);
    // The same bytes decompressed once, then parsed from the page cache.
    std::string plain = (dir / "plain.mrt").string();
    {
      auto in = asncounter::ByteStream::open(file);
      if (!in) throw std::runtime_error(in.error());
      std::ofstream out(plain, std::ios::binary);
      std::vector<char> buf(1 << 20);
      while (std::size_t n = (*in)->read(buf.data(), buf.size()))
        out.write(buf.data(), static_cast<std::streamsize>(n));
    }
    parse(plain);  // warm the cache
    Run bare = parse(plain);
    std::printf("file %s\n", file.c_str());
    report("as stored (decompress)", packed);
    report("plain (parser alone)", bare);
    // One line for scripts.
    std::printf("RESULT bytes=%llu cpu=%.3f wall=%.3f plain_cpu=%.3f\n",
                static_cast<unsigned long long>(packed.bytes), packed.cpu, packed.wall, bare.cpu);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_mrt_parse: %s\n", e.what());
    return 1;
  }
}
