// Carving figures on a real full IPv4 table (pyasn's ipasn_20140513, about
// 500k prefixes): carved_asn_space for the ASNs with the most prefixes and
// for every ASN of the table, against as_prefixes (the uncarved list, one
// scan of the table) timed in the same run for a ratio.
//   bench_carve [IPASN_FILE]
#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "common/table/carve.hpp"
#include "common/table/ipasn.hpp"
#include "tests/bench/cpu_clock.hpp"

using namespace asncounter;

int main(int argc, char** argv) {
  std::string path = argc > 1 ? argv[1] : std::string(ASNCOUNTER_TEST_DATA) + "/ipasn_20140513.dat.gz";
  auto set = read_ipasn_file(path);
  if (!set) {
    std::printf("SKIPPED: %s: %s\n", path.c_str(), set.error().c_str());
    return 0;
  }
  auto table = LpmTable::build(set->routes, set->info);
  std::map<std::uint32_t, std::size_t> per_asn;
  for (const auto& r : table->routes()) ++per_asn[r.asn];
  std::vector<std::pair<std::size_t, std::uint32_t>> by_size;
  for (const auto& [asn, n] : per_asn) by_size.emplace_back(n, asn);
  std::sort(by_size.rbegin(), by_size.rend());
  std::printf("table: %zu prefixes, %zu ASNs\n", table->prefix_count(), per_asn.size());

  // The 10 ASNs with the most prefixes: the slowest single carvings.
  for (std::size_t i = 0; i < 10 && i < by_size.size(); ++i) {
    std::uint32_t asn = by_size[i].second;
    double t0 = bench::thread_cpu_seconds();
    auto plain = table->as_prefixes(asn);
    double t1 = bench::thread_cpu_seconds();
    auto carved = carved_asn_space(*table, asn);
    double t2 = bench::thread_cpu_seconds();
    std::printf("AS%u: %zu prefixes -> %zu carved CIDRs; as_prefixes %.2f ms, carved %.2f ms (x%.2f)\n", asn,
                plain.size(), carved.size(), (t1 - t0) * 1e3, (t2 - t1) * 1e3, (t2 - t1) / (t1 - t0));
  }
  // A sample of every 50th ASN, to show the typical cost.
  double plain_s = 0, carved_s = 0;
  std::size_t n = 0;
  for (std::size_t i = 0; i < by_size.size(); i += 50, ++n) {
    double t0 = bench::thread_cpu_seconds();
    auto plain = table->as_prefixes(by_size[i].second);
    double t1 = bench::thread_cpu_seconds();
    auto carved = carved_asn_space(*table, by_size[i].second);
    double t2 = bench::thread_cpu_seconds();
    plain_s += t1 - t0;
    carved_s += t2 - t1;
  }
  std::printf("%zu ASNs (every 50th): as_prefixes %.3f ms each, carved %.3f ms each (x%.2f)\n", n,
              plain_s * 1e3 / static_cast<double>(n), carved_s * 1e3 / static_cast<double>(n),
              carved_s / plain_s);
  return 0;
}
