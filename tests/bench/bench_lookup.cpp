// Lookup-table figures: random IPv4 and IPv6 lookups (batched and one at a
// time), the load time of a real pyasn table, the memory of a large
// synthetic table, and pyasn's lookups timed in the same run for a ratio.
// Run pinned to one core: taskset -c 1 build/tests/bench/bench_lookup
// Lookup rates are per CPU second of the benchmark thread (the wall clock
// would also count other processes sharing the core).
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/table/ipasn.hpp"
#include "common/table/lpm_table.hpp"
#include "tests/bench/cpu_clock.hpp"

using namespace asncounter;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::string data_file(const char* name) { return std::string(ASNCOUNTER_TEST_DATA) + "/" + name; }

bool exists(const std::string& path) { return std::ifstream(path).good(); }

// A /proc/self/status figure in KiB: VmRSS (resident now), VmHWM (peak).
long status_kib(const std::string& key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key + ":", 0) == 0) return std::strtol(line.c_str() + key.size() + 1, nullptr, 10);
  return -1;
}

// Lookups per second over `rounds` passes of `addrs`, best of three runs.
template <class F>
double rate(std::size_t per_round, int rounds, F&& body) {
  double best = 0;
  for (int run = 0; run < 3; ++run) {
    double t0 = bench::thread_cpu_seconds();
    for (int r = 0; r < rounds; ++r) body();
    best = std::max(best, static_cast<double>(per_round) * rounds / (bench::thread_cpu_seconds() - t0));
  }
  return best;
}

volatile std::uint64_t g_sink;  // keeps the lookups from being optimised away

double batched(const LpmTable& t, const std::vector<Address>& addrs, int rounds) {
  std::vector<PrefixId> ids(256);
  return rate(addrs.size(), rounds, [&] {
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < addrs.size(); i += 256) {
      std::size_t n = std::min<std::size_t>(256, addrs.size() - i);
      t.lookup_ids(std::span(addrs).subspan(i, n), std::span(ids).first(n));
      sum += ids[0] + ids[n - 1];
    }
    g_sink = sum;
  });
}

// Batched the way the counting pipeline calls it: the parser writes each
// batch of 256 addresses into a small buffer that is still in cache when
// the lookups run. `batched` above instead streams 24-byte Address structs
// from an array of 96 MiB, and at these rates that stream, not the table,
// is what it measures. Filling the buffer from 32-bit keys is counted.
double batched_from_buffer(const LpmTable& t, const std::vector<std::uint32_t>& keys, int rounds) {
  std::vector<Address> buffer(256);
  std::vector<PrefixId> ids(256);
  return rate(keys.size(), rounds, [&] {
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < keys.size(); i += 256) {
      std::size_t n = std::min<std::size_t>(256, keys.size() - i);
      for (std::size_t k = 0; k < n; ++k) buffer[k] = Address::from_v4(keys[i + k]);
      t.lookup_ids(std::span(buffer).first(n), std::span(ids).first(n));
      sum += ids[0] + ids[n - 1];
    }
    g_sink = sum;
  });
}

double single(const LpmTable& t, const std::vector<Address>& addrs, int rounds) {
  return rate(addrs.size(), rounds, [&] {
    std::uint64_t sum = 0;
    for (const auto& a : addrs) sum += t.lookup_id(a);
    g_sink = sum;
  });
}

// Random addresses inside the table's prefixes of one family (the traffic a
// busy server sees comes from routed space).
std::vector<Address> inside(const LpmTable& t, Family f, std::size_t n, std::mt19937_64& rng) {
  std::vector<Address> out;
  out.reserve(n);
  std::size_t lo = f == Family::v4 ? 1 : t.v4_prefix_count() + 1;
  std::size_t count = f == Family::v4 ? t.v4_prefix_count() : t.v6_prefix_count();
  while (out.size() < n) {
    Prefix p = t.prefix(static_cast<PrefixId>(lo + rng() % count));
    Address a = f == Family::v4 ? Address::from_v4(static_cast<std::uint32_t>(rng()))
                                : Address::from_v6(V6{rng(), rng()});
    // The prefix's bits, then random host bits.
    Address m = mask(f == Family::v4 ? Address::from_v4(~0U) : Address::from_v6(V6{~0ULL, ~0ULL}), p.len);
    if (f == Family::v4)
      a.v4 = p.addr.v4 | (a.v4 & ~m.v4);
    else
      a.v6 = V6{p.addr.v6.hi | (a.v6.hi & ~m.v6.hi), p.addr.v6.lo | (a.v6.lo & ~m.v6.lo)};
    out.push_back(a);
  }
  return out;
}

// Prefix lengths drawn like those of the real tables in the shared data
// (ipasn_20140513 for IPv4, ipasn6_20151101 for IPv6), coarsened.
unsigned v4_length(std::mt19937_64& rng) {
  static const std::discrete_distribution<unsigned> d = [] {
    std::vector<double> w(33, 0);
    w[8] = 16, w[9] = 12, w[10] = 30, w[11] = 90, w[12] = 259, w[13] = 487, w[14] = 974, w[15] = 1726;
    w[16] = 13017, w[17] = 7050, w[18] = 11917, w[19] = 24936, w[20] = 35828, w[21] = 37624;
    w[22] = 57782, w[23] = 47385, w[24] = 270023, w[25] = 918, w[26] = 1060, w[27] = 537, w[28] = 138;
    w[29] = 292, w[30] = 331, w[31] = 20, w[32] = 169;
    return std::discrete_distribution<unsigned>(w.begin(), w.end());
  }();
  auto copy = d;
  return copy(rng);
}

unsigned v6_length(std::mt19937_64& rng) {
  static const unsigned lens[] = {19, 24, 28, 29, 32, 33, 36, 40, 44, 46, 48, 56, 64, 126, 128};
  static const double weights[] = {2,    19,  70,    859, 7262, 313, 1004, 1221,
                                   1125, 379, 12142, 180, 772,  269, 42};
  static const std::discrete_distribution<std::size_t> d(std::begin(weights), std::end(weights));
  auto copy = d;
  return lens[copy(rng)];
}

// n4 distinct IPv4 and n6 distinct IPv6 random prefixes.
std::vector<Route> synthetic(std::size_t n4, std::size_t n6, std::mt19937_64& rng) {
  std::vector<Route> routes;
  routes.reserve(n4 + n6);
  std::unordered_set<std::uint64_t> seen;
  while (seen.size() < n4) {
    unsigned len = v4_length(rng);
    Address a = mask(Address::from_v4(static_cast<std::uint32_t>(rng())), len);
    if (!seen.insert(std::uint64_t{a.v4} << 8 | len).second) continue;
    routes.push_back(
        {Prefix{a, static_cast<std::uint8_t>(len)}, static_cast<std::uint32_t>(1 + rng() % 60000)});
  }
  // Global unicast space, 2000::/3, where all real routes are; at these
  // lengths random IPv6 prefixes practically never collide.
  for (std::size_t i = 0; i < n6; ++i) {
    unsigned len = v6_length(rng);
    V6 v{0x2000000000000000ULL | (rng() >> 3), rng()};
    routes.push_back({Prefix{mask(Address::from_v6(v), len), static_cast<std::uint8_t>(len)},
                      static_cast<std::uint32_t>(1 + rng() % 60000)});
  }
  return routes;
}

// pyasn (Debian's python3-pyasn) doing `n` random IPv4 lookups on the same
// table: lookups per second, or 0 when it is not installed.
double pyasn_rate(const std::string& table, std::size_t n) {
  std::string cmd =
      "/usr/bin/python3 -c '\n"
      "import pyasn, random, time, sys\n"
      "db = pyasn.pyasn(sys.argv[1]); random.seed(1)\n"
      "ips = [\"%d.%d.%d.%d\" % tuple(random.getrandbits(8) for _ in range(4)) for _ in "
      "range(int(sys.argv[2]))]\n"
      "t = time.process_time()\n"
      "for ip in ips: db.lookup(ip)\n"
      "print(len(ips) / (time.process_time() - t))\n' " +
      table + " " + std::to_string(n) + " 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return 0;
  char buf[128] = {};
  double r = std::fgets(buf, sizeof buf, p) ? std::strtod(buf, nullptr) : 0;
  pclose(p);
  return r;
}

void synthetic_memory() {
  std::mt19937_64 rng(42);
  long before = status_kib("VmRSS");
  auto routes = synthetic(1'000'000, 230'000, rng);
  auto t0 = Clock::now();
  auto table = LpmTable::build(routes, {});
  double build_s = seconds_since(t0);
  std::vector<Route>().swap(routes);
  malloc_trim(0);  // hand back what the build freed, so RSS shows the table
  long after = status_kib("VmRSS");
  long peak = status_kib("VmHWM");
  std::printf("synthetic table: %zu IPv4 + %zu IPv6 prefixes, built in %.3f s\n", table->v4_prefix_count(),
              table->v6_prefix_count(), build_s);
  std::printf("  memory_bytes %.1f MiB, RSS delta %.1f MiB (peak while building, input included: %.1f MiB)\n",
              static_cast<double>(table->memory_bytes()) / 1048576.0,
              static_cast<double>(after - before) / 1024.0, static_cast<double>(peak - before) / 1024.0);
  std::vector<Address> v6 = inside(*table, Family::v6, 1 << 20, rng);
  std::vector<Address> v4 = inside(*table, Family::v4, 1 << 20, rng);
  std::printf("  IPv6 inside prefixes: batched %.1f M/s, single %.1f M/s\n", batched(*table, v6, 10) / 1e6,
              single(*table, v6, 10) / 1e6);
  std::printf("  IPv4 inside prefixes: batched %.1f M/s, single %.1f M/s\n", batched(*table, v4, 10) / 1e6,
              single(*table, v4, 10) / 1e6);
}

void real_v4(std::size_t pyasn_n) {
  std::string path = data_file("ipasn_20140513.dat.gz");
  if (!exists(path)) {
    std::printf("SKIPPED: %s is missing\n", path.c_str());
    return;
  }
  double read_best = 1e9, build_best = 1e9;
  std::shared_ptr<const LpmTable> table;
  for (int run = 0; run < 3; ++run) {
    auto t0 = Clock::now();
    auto set = read_ipasn_file(path);
    double read_s = seconds_since(t0);
    if (!set) {
      std::printf("cannot read %s: %s\n", path.c_str(), set.error().c_str());
      return;
    }
    auto t1 = Clock::now();
    table = LpmTable::build(set->routes, set->info);
    build_best = std::min(build_best, seconds_since(t1));
    read_best = std::min(read_best, read_s);
  }
  std::printf("ipasn_20140513.dat.gz: %zu prefixes; load %.3f s (parse %.3f s + build %.3f s), best of 3\n",
              table->prefix_count(), read_best + build_best, read_best, build_best);
  std::printf("  memory_bytes %.1f MiB\n", static_cast<double>(table->memory_bytes()) / 1048576.0);

  std::mt19937_64 rng(1);
  std::vector<Address> uniform(1 << 22);
  for (auto& a : uniform) a = Address::from_v4(static_cast<std::uint32_t>(rng()));
  std::vector<std::uint32_t> raw(uniform.size());
  for (std::size_t i = 0; i < raw.size(); ++i) raw[i] = uniform[i].v4;
  double hot = batched_from_buffer(*table, raw, 5);
  double b = batched(*table, uniform, 5);
  double s = single(*table, uniform, 5);
  double raw_rate = rate(raw.size(), 5, [&] {
    std::uint64_t sum = 0;
    for (auto a : raw) sum += table->lookup_v4(a);
    g_sink = sum;
  });
  std::printf(
      "  IPv4 uniform random: batched from a 256-address buffer %.1f M/s; batched from a 96 MiB array %.1f "
      "M/s, "
      "single lookup_id %.1f M/s, single lookup_v4 %.1f M/s\n",
      hot / 1e6, b / 1e6, s / 1e6, raw_rate / 1e6);
  auto routed = inside(*table, Family::v4, 1 << 22, rng);
  std::printf("  IPv4 inside prefixes: batched %.1f M/s, single %.1f M/s\n", batched(*table, routed, 5) / 1e6,
              single(*table, routed, 5) / 1e6);
  if (pyasn_n > 0) {
    double py = pyasn_rate(path, pyasn_n);
    if (py > 0)
      std::printf(
          "  pyasn (same table, %zu random IPv4 lookups): %.2f M/s -> batched from a buffer is %.0fx pyasn\n",
          pyasn_n, py / 1e6, hot / py);
    else
      std::printf("  pyasn: not available (python3-pyasn not installed?)\n");
  }
}

void real_v6() {
  std::string path = data_file("ipasn6_20151101.dat.gz");
  if (!exists(path)) {
    std::printf("SKIPPED: %s is missing\n", path.c_str());
    return;
  }
  auto set = read_ipasn_file(path);
  if (!set) return;
  auto t0 = Clock::now();
  auto table = LpmTable::build(set->routes, set->info);
  std::printf(
      "ipasn6_20151101.dat.gz: %zu IPv4 + %zu IPv6 prefixes, built in %.3f s, memory_bytes %.1f MiB\n",
      table->v4_prefix_count(), table->v6_prefix_count(), seconds_since(t0),
      static_cast<double>(table->memory_bytes()) / 1048576.0);
  std::mt19937_64 rng(2);
  auto routed = inside(*table, Family::v6, 1 << 20, rng);
  std::printf("  IPv6 inside prefixes: batched %.1f M/s, single %.1f M/s\n",
              batched(*table, routed, 10) / 1e6, single(*table, routed, 10) / 1e6);
  std::vector<Address> uniform(1 << 20);
  for (auto& a : uniform) a = Address::from_v6(V6{0x2000000000000000ULL | (rng() >> 3), rng()});
  std::printf("  IPv6 uniform in 2000::/3: batched %.1f M/s, single %.1f M/s\n",
              batched(*table, uniform, 10) / 1e6, single(*table, uniform, 10) / 1e6);
}

}  // namespace

int main(int argc, char** argv) {
  // --pyasn N: how many lookups pyasn does (0 skips it).
  std::size_t pyasn_n = 1'000'000;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string(argv[i]) == "--pyasn") pyasn_n = std::strtoul(argv[i + 1], nullptr, 10);
  synthetic_memory();  // first, while the process is small, so RSS shows the table
  malloc_trim(0);
  real_v4(pyasn_n);
  real_v6();
  return 0;
}
