// Latency of `top --limit 10` as a real RPC round trip over the Unix socket
// (ctl's client -> server -> dispatch -> CounterStore::top_asns -> JSON),
// with 1M prefixes counted while an input thread ingests at full speed.
// Prints p50/p99/max; docs/benchmarks.md ("Control socket") records them.
//
//   bench_top_latency [QUERIES=300] [PREFIXES=1048576] [INGEST=1]  (INGEST=0: an idle store, for comparison)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ctl/client.hpp"
#include "daemon/rpc/server.hpp"
#include "daemon/store/counter_store.hpp"
#include "daemon/sys/asio.hpp"
#include "tests/bench/synthetic_traffic.hpp"
#include "tests/support/fake_daemon.hpp"
#include "tests/support/test_support.hpp"

namespace {

using namespace asncounter;
using Clock = std::chrono::steady_clock;

// One hit on every prefix, so top walks all of them.
void touch_all(CounterStore& store, std::uint32_t prefixes) {
  EventBatch b;
  for (std::uint32_t i = 0; i < prefixes; ++i) {
    b.push(bench::nth_prefix_address(i));
    if (b.full()) store.add(b), b.clear();
  }
  if (b.size) store.add(b);
}

double percentile(std::vector<double>& v, double p) {
  std::sort(v.begin(), v.end());
  auto idx = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  return v[idx];
}

}  // namespace

int main(int argc, char** argv) {
  const int queries = argc > 1 ? std::atoi(argv[1]) : 300;
  const auto prefixes = static_cast<std::uint32_t>(argc > 2 ? std::atol(argv[2]) : 1L << 20);
  const bool ingesting = argc > 3 ? std::atoi(argv[3]) != 0 : true;
  auto table = bench::synthetic_table(prefixes);
  test::FakeDaemon daemon(table, 4);
  CounterStore& store = daemon.store();
  touch_all(store, prefixes);

  asio::io_context io;
  rpc::Dispatcher dispatcher(daemon, *rpc::AdminPolicy::make(""));
  test::TempDir dir;
  std::string path = (dir / "run/control.sock").string();
  auto server = rpc::Server::open(io, path, "", dispatcher, rpc::ServerLimits{});
  if (!server) return std::fprintf(stderr, "%s\n", server.error().c_str()), 1;
  (*server)->start();
  std::thread io_thread([&] { io.run(); });

  // The input: random addresses inside the table, batch after batch.
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> ingested{0};
  std::thread ingest([&] {
    std::mt19937 rng(1);
    EventBatch b;
    while (ingesting && !stop) {
      b.clear();
      while (!b.full())
        b.push(Address::from_v4(0x10000000U + static_cast<std::uint32_t>(rng() % (prefixes << 8))));
      store.add(b);
      ingested += b.size;
    }
  });

  auto client = ctl::Client::connect(path, std::chrono::seconds(30));
  if (!client) return std::fprintf(stderr, "%s\n", client.error().c_str()), 1;
  std::vector<double> ms;
  rpc::Params p;
  p.set(rpc::ParamId::limit, 10);
  auto t0 = Clock::now();
  std::uint64_t before = ingested;
  for (int i = 0; i < queries; ++i) {
    auto start = Clock::now();
    auto r = client->call(rpc::MethodId::top, p);
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    if (!r || !r->result_json) return std::fprintf(stderr, "top failed\n"), 1;
  }
  double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  double rate = static_cast<double>(ingested - before) / seconds;
  stop = true;
  ingest.join();
  io.stop();
  io_thread.join();

  std::printf(
      "top --limit 10 over the socket, %u prefixes counted, %d queries while ingesting %.1f M events/s\n",
      prefixes, queries, rate / 1e6);
  double max = *std::max_element(ms.begin(), ms.end());
  std::printf("p50 %.2f ms  p99 %.2f ms  max %.2f ms\n", percentile(ms, 0.50), percentile(ms, 0.99), max);
  return 0;
}
