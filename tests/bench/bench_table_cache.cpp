// Table load from the table cache against parsing the dump, side by side:
//   bench_table_cache [TABLE...]
// Default tables: the shared ipasn6_20151101.dat.gz (606k IPv4 + 27k IPv6
// prefixes, the real 2015 table) and a seeded synthetic RIB of today's size
// (1M IPv4 + 230k IPv6 prefixes, 8 peers, bzip2; written to /tmp first).
// For each: parse + build once (load_table), write the cache, then map it
// (read_table_cache: mmap, checksum over every byte, every bounds check) ten
// times; median and worst wall time, and CPU time. The page cache is warm
// (the file was just written): the daemon's case after its first start.
// Target (DESIGN.md): <= 20 ms for a full table.

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "common/table/table_cache.hpp"
#include "common/table/table_file.hpp"
#include "tests/bench/cpu_clock.hpp"
#include "tests/tools/synthetic_rib.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using asncounter::bench::process_cpu_seconds;

namespace {

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

void bench(const std::string& path, const fs::path& cache) {
  auto t0 = Clock::now();
  double c0 = process_cpu_seconds();
  auto built = asncounter::load_table(path);
  double parse_wall = since(t0), parse_cpu = process_cpu_seconds() - c0;
  if (!built) {
    std::printf("%s: %s\n", path.c_str(), built.error().c_str());
    return;
  }
  const auto& table = **built;
  auto stamp = asncounter::stamp_source(path);
  t0 = Clock::now();
  auto written = asncounter::write_table_cache(cache.string(), *stamp, table);
  double write_wall = since(t0);
  if (!written) {
    std::printf("write: %s\n", written.error().c_str());
    return;
  }
  auto file = cache / asncounter::table_cache_name(*stamp);
  std::vector<double> walls, cpus;
  std::size_t prefixes = 0;
  for (int run = 0; run < 10; ++run) {
    t0 = Clock::now();
    c0 = process_cpu_seconds();
    auto mapped = asncounter::read_table_cache(cache.string(), *stamp);
    walls.push_back(since(t0));
    cpus.push_back(process_cpu_seconds() - c0);
    if (!mapped) {
      std::printf("read: %s\n", mapped.error().c_str());
      return;
    }
    prefixes = (*mapped)->prefix_count();
  }
  // The checksum alone, over the file's bytes in memory: the floor of any
  // load that reads every byte.
  std::vector<unsigned char> bytes(fs::file_size(file));
  {
    std::FILE* f = std::fopen(file.c_str(), "rb");
    if (f) bytes.resize(std::fread(bytes.data(), 1, bytes.size(), f)), std::fclose(f);
  }
  std::vector<double> sums;
  for (int run = 0; run < 10; ++run) {
    c0 = process_cpu_seconds();
    static_cast<void>(asncounter::table_cache_checksum(bytes));
    sums.push_back(process_cpu_seconds() - c0);
  }
  std::sort(sums.begin(), sums.end());
  std::sort(walls.begin(), walls.end());
  std::sort(cpus.begin(), cpus.end());
  std::printf("%s\n  %zu IPv4 + %zu IPv6 prefixes, cache %.1f MiB (%zu prefixes read back)\n", path.c_str(),
              table.v4_prefix_count(), table.v6_prefix_count(),
              static_cast<double>(fs::file_size(file)) / (1 << 20), prefixes);
  std::printf("  parse + build:   %8.1f ms wall, %8.1f ms CPU (once)\n", parse_wall * 1e3, parse_cpu * 1e3);
  std::printf("  write the cache: %8.1f ms wall (once)\n", write_wall * 1e3);
  std::printf("  map the cache:   %8.2f ms wall median, %.2f ms worst, %.2f ms CPU median (10 runs)\n",
              walls[walls.size() / 2] * 1e3, walls.back() * 1e3, cpus[cpus.size() / 2] * 1e3);
  std::printf("  of which the XXH64 checksum alone: %.2f ms CPU median (%.1f GB/s)\n",
              sums[sums.size() / 2] * 1e3, static_cast<double>(bytes.size()) / sums[sums.size() / 2] * 1e-9);
  std::printf("  ratio: the cache loads %.0fx faster than the parse\n", parse_wall / walls[walls.size() / 2]);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> tables(argv + 1, argv + argc);
  if (tables.empty()) {
    std::string real = std::string(ASNCOUNTER_TEST_DATA) + "/ipasn6_20151101.dat.gz";
    if (fs::exists(real)) tables.push_back(real);
    std::string synthetic = "/tmp/asncounter-bench-rib-1M-230k.bz2";
    if (!fs::exists(synthetic)) {
      std::printf("writing synthetic RIB %s ...\n", synthetic.c_str());
      asncounter::test::write_synthetic_rib(synthetic, asncounter::test::Packing::bzip2, {});
    }
    tables.push_back(synthetic);
  }
  fs::path cache = fs::temp_directory_path() / ("asncounter-bench-cache-" + std::to_string(::getpid()));
  fs::create_directories(cache);
  for (const auto& t : tables) bench(t, cache);
  fs::remove_all(cache);
  return 0;
}
