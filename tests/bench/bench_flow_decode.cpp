// Flow decoding and counting on one core: records/s for IPFIX, NetFlow v9,
// NetFlow v5 and sFlow v5 datagrams built by the flow writer, decoded through
// the collector as they would arrive on a port, then (second figure) counted
// as the flow inputs count them: FlowCounter's batches into a CounterStore
// over a real table, sources drawn from its prefixes.
//   bench_flow_decode [--datagrams N] [--runs R] [--table IPASN_FILE]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "common/ip.hpp"
#include "common/table/table_file.hpp"
#include "daemon/input/flow/flow_collector.hpp"
#include "daemon/input/flow/flow_counter.hpp"
#include "daemon/store/counter_store.hpp"
#include "tests/bench/cpu_clock.hpp"
#include "tests/support/test_support.hpp"
#include "tests/tools/flow_writer.hpp"

namespace {

using asncounter::Address;
using asncounter::Family;
using asncounter::flow::FlowCollector;
using asncounter::flow::FlowPort;
using asncounter::flow::FlowRecord;
using asncounter::test::FlowSpec;
using Bytes = std::vector<std::uint8_t>;

// The table the sources come from: a random prefix of the family, a random
// host in it (documentation ranges when the table has none of the family).
const asncounter::LpmTable* g_table = nullptr;

Address random_address(std::mt19937_64& rng, bool v6) {
  const std::size_t n = g_table ? g_table->prefix_count() : 0;
  for (int attempt = 0; n != 0 && attempt < 64; ++attempt) {
    const asncounter::Prefix p = g_table->prefix(static_cast<asncounter::PrefixId>(1 + rng() % n));
    if (p.addr.is_v4() == v6) continue;
    Address a = p.addr;
    if (a.is_v4()) {
      if (p.len < 32) a.v4 |= static_cast<std::uint32_t>(rng()) & (0xFFFFFFFFU >> p.len);
    } else {
      if (p.len < 64) a.v6.hi |= rng() & (~std::uint64_t{0} >> p.len);
      if (p.len <= 64)
        a.v6.lo = rng();
      else if (p.len < 128)
        a.v6.lo |= rng() & (~std::uint64_t{0} >> (p.len - 64));
    }
    return a;
  }
  if (!v6)
    return Address::from_v4(0xC6120000U | static_cast<std::uint32_t>(rng() & 0x1FFFFU));  // 198.18.0.0/15
  return Address::from_v6(asncounter::V6{0x20010DB800000000ULL | (rng() & 0xFFFFFFFFULL), rng()});
}

FlowSpec random_flow(std::mt19937_64& rng, bool v6) {
  return FlowSpec{random_address(rng, v6), random_address(rng, v6), 1 + rng() % 100, 40 + rng() % 100000};
}

struct Workload {
  std::string name;
  FlowPort port;
  std::vector<Bytes> datagrams;
  Bytes setup;  // templates, sent once before timing
};

Workload ipfix_or_v9(int version, std::size_t datagrams, std::mt19937_64& rng) {
  Workload w{version == 10 ? "IPFIX" : "NetFlow v9", FlowPort::netflow, {}, {}};
  w.setup = asncounter::test::TemplateMessage(version, 0, 1)
                .add_template(256, asncounter::test::flow_fields(Family::v4))
                .add_template(257, asncounter::test::flow_fields(Family::v6))
                .finish();
  std::uint32_t seq = 0;
  for (std::size_t i = 0; i < datagrams; ++i) {
    // 1,400-byte datagrams as exporters send them: 40 IPv4 records + 10 IPv6 ones.
    Bytes v4, v6;
    for (int j = 0; j < 40; ++j) asncounter::test::append_flow_record(v4, random_flow(rng, false));
    for (int j = 0; j < 10; ++j) asncounter::test::append_flow_record(v6, random_flow(rng, true));
    w.datagrams.push_back(asncounter::test::TemplateMessage(version, seq, 1)
                              .add_data(256, v4, true)
                              .add_data(257, v6, true)
                              .finish());
    seq += version == 10 ? 50 : 1;
  }
  return w;
}

Workload netflow_v5(std::size_t datagrams, std::mt19937_64& rng) {
  Workload w{"NetFlow v5", FlowPort::netflow, {}, {}};
  for (std::size_t i = 0; i < datagrams; ++i) {
    std::vector<FlowSpec> flows;
    for (int j = 0; j < 30; ++j) flows.push_back(random_flow(rng, false));
    w.datagrams.push_back(asncounter::test::netflow_v5(flows, static_cast<std::uint32_t>(i * 30)));
  }
  return w;
}

Workload sflow(bool raw, std::size_t datagrams, std::mt19937_64& rng) {
  Workload w{raw ? "sFlow raw headers" : "sFlow sampled IPv4/6", FlowPort::sflow, {}, {}};
  using Kind = asncounter::test::SflowSample::Kind;
  const Address agent = *asncounter::parse_address("203.0.113.1");
  for (std::size_t i = 0; i < datagrams; ++i) {
    // Agents fill a 1,400-byte datagram: 7 samples of 128-byte headers, or more sampled records.
    std::vector<asncounter::test::SflowSample> samples;
    const int n = raw ? 7 : 14;
    for (int j = 0; j < n; ++j) {
      const bool v6 = j % 5 == 4;
      asncounter::test::SflowSample s;
      s.kind = raw ? Kind::raw_header : (v6 ? Kind::sampled_ipv6 : Kind::sampled_ipv4);
      s.flow = random_flow(rng, v6);
      s.flow.octets = 64 + rng() % 1200;
      s.rate = 1024;
      s.expanded = j % 2 == 1;
      samples.push_back(s);
    }
    if (i % 10 == 0) samples.push_back({Kind::counter, {}, 0});
    w.datagrams.push_back(asncounter::test::sflow_v5(agent, static_cast<std::uint32_t>(i), samples));
  }
  return w;
}

struct Figure {
  double best = 1e9;
  std::uint64_t records = 0;
};

// Best CPU time of `runs` passes over the workload; with `store`, every
// record is also counted into it the way the flow inputs count.
Figure measure(const Workload& w, int runs, asncounter::CounterStore* store, std::uint64_t& checksum) {
  FlowCollector c(w.port);
  const Address exporter = *asncounter::parse_address("203.0.113.1");
  std::vector<FlowRecord> out;
  out.reserve(4096);
  asncounter::flow::FlowCounter counter(false, 1,
                                        [store](const asncounter::EventBatch& b) { store->add(b); });
  if (!w.setup.empty()) c.receive(exporter, w.setup, 0, out);
  Figure f;
  for (int r = 0; r < runs; ++r) {
    f.records = 0;
    const double t0 = asncounter::bench::thread_cpu_seconds();
    for (const Bytes& d : w.datagrams) {
      out.clear();
      c.receive(exporter, d, 0, out);
      f.records += out.size();
      if (store) {
        for (const FlowRecord& rec : out) counter.count(rec);
      } else {
        for (const FlowRecord& rec : out) checksum += rec.octets;  // touch what was decoded
      }
    }
    if (store) counter.flush();
    f.best = std::min(f.best, asncounter::bench::thread_cpu_seconds() - t0);
  }
  return f;
}

void run(const Workload& w, int runs, asncounter::CounterStore& store) {
  std::size_t bytes = 0;
  for (const Bytes& d : w.datagrams) bytes += d.size();
  std::uint64_t checksum = 0;
  const Figure decode = measure(w, runs, nullptr, checksum);
  const Figure counted = measure(w, runs, &store, checksum);
  const auto rate = [](const Figure& f) { return static_cast<double>(f.records) / f.best / 1e6; };
  std::printf(
      "%-22s %7zu datagrams %9llu records %6.1f MB | decode %6.2f M records/s (%.2f us/datagram) | "
      "decode+count %6.2f M records/s  [%llu]\n",
      w.name.c_str(), w.datagrams.size(), static_cast<unsigned long long>(decode.records),
      static_cast<double>(bytes) / 1e6, rate(decode),
      decode.best / static_cast<double>(w.datagrams.size()) * 1e6, rate(counted),
      static_cast<unsigned long long>(checksum % 1000));
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t datagrams = 40000;
  int runs = 5;
  std::string table_path;
  if (auto p = asncounter::test::shared_data("ipasn6_20151101.dat.gz")) table_path = p->string();
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--datagrams")) datagrams = std::strtoull(argv[i + 1], nullptr, 10);
    if (!std::strcmp(argv[i], "--runs")) runs = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--table")) table_path = argv[i + 1];
  }
  std::shared_ptr<const asncounter::LpmTable> table = asncounter::LpmTable::empty();
  if (!table_path.empty()) {
    auto loaded = asncounter::load_table(table_path);
    if (!loaded) {
      std::fprintf(stderr, "%s\n", loaded.error().c_str());
      return 1;
    }
    table = *loaded;
  }
  g_table = table.get();
  asncounter::CounterStore store(table, 4);
  std::printf("flow records on one core, CPU time, best of %d; table %s (%zu prefixes)\n", runs,
              table_path.empty() ? "(none)" : table_path.c_str(), table->prefix_count());
  std::mt19937_64 rng(15);
  run(ipfix_or_v9(10, datagrams, rng), runs, store);
  run(ipfix_or_v9(9, datagrams, rng), runs, store);
  run(netflow_v5(datagrams, rng), runs, store);
  run(sflow(true, datagrams, rng), runs, store);
  run(sflow(false, datagrams, rng), runs, store);
  return 0;
}
