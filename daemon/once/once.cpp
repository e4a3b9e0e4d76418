#include "daemon/once/once.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "common/report.hpp"
#include "common/table/as_names.hpp"
#include "daemon/config/input_settings.hpp"
#include "daemon/config/options.hpp"
#include "daemon/input/input.hpp"
#include "daemon/once/once_table.hpp"
#include "daemon/once/once_watch.hpp"
#include "daemon/store/counter_store.hpp"

namespace asncounter {

namespace {

using Inputs = std::vector<std::unique_ptr<Input>>;

/// The inputs of --input (stdin when none); an error message when a spec is bad.
Result<Inputs> make_inputs(const Options& options) {
  const InputOptions io = input_settings(options, true);
  Inputs inputs;
  for (const std::string& spec : options.inputs.empty() ? std::vector<std::string>{"-"} : options.inputs) {
    auto in = make_input(spec, io);
    if (!in) return Error{in.error()};
    inputs.push_back(std::move(*in));
  }
  return inputs;
}

/// The sink of every input: the store, and for --count N (0: no limit) only
/// the first N events, after which `watch` is told to end the reading. Inputs
/// call it from their threads, hence the atomic.
class OnceSink {
 public:
  OnceSink(CounterStore& store, std::uint64_t limit, OnceWatch& watch)
      : store_(store), limit_(limit), watch_(watch) {}

  void operator()(const EventBatch& b) {
    if (limit_ == 0) {
      store_.add(b);
      return;
    }
    const std::uint64_t before = taken_.fetch_add(b.size, std::memory_order_relaxed);
    if (before >= limit_) return;
    if (before + b.size < limit_) {
      store_.add(b);
      return;
    }
    // This batch reaches N: its first events up to N, then the end.
    auto part = std::make_unique<EventBatch>(b);
    part->size = static_cast<std::size_t>(limit_ - before);
    store_.add(*part);
    watch_.finish();
  }

 private:
  CounterStore& store_;
  const std::uint64_t limit_;
  OnceWatch& watch_;
  std::atomic<std::uint64_t> taken_{0};
};

/// Starts every input, waits until all of them end (or a signal, --duration
/// or --count ends the reading: the rest are stopped, their partial batches
/// counted), printing an interim report on SIGHUP and SIGUSR1. False when an
/// input failed.
bool run_inputs(const Inputs& inputs, const Options& options, OnceWatch& watch, OnceSink& sink,
                const std::function<void()>& interim, std::ostream& err) {
  for (auto& in : inputs) in->start([&sink](const EventBatch& b) { sink(b); });
  std::thread ended([&] {
    for (auto& in : inputs) in->wait();
    watch.finish();
  });
  watch.wait(std::chrono::seconds(options.duration), interim);
  for (auto& in : inputs) in->stop();
  ended.join();
  bool ok = true;
  for (auto& in : inputs) {
    InputCounters c = in->counters();
    const bool packets = input_traits(in->spec()).frames;
    if (c.rejected)
      err << "asncounterd: " << in->spec() << ": " << c.rejected
          << (packets ? " packets rejected (cut inside the IP header, or broken)\n"
                      : " lines rejected (no address, or a size above 1 TiB)\n");
    if (c.non_ip)
      err << "asncounterd: " << in->spec() << ": " << c.non_ip
          << " frames without an IP address (ARP, LLDP, ...), not counted\n";
    if (c.state.phase == InputPhase::error) {
      err << "asncounterd: " << in->spec() << ": " << c.state.text() << "\n";
      ok = false;
    }
  }
  return ok;
}

}  // namespace

int run_once(const Options& options, std::ostream& out, std::ostream& err) {
  // First of all: the inputs' threads inherit the blocked signals, and a
  // signal that comes while the table loads is answered once it is loaded
  // (SIGHUP then reports nothing yet rather than killing the process).
  OnceWatch watch;
  if (!watch.ok()) {
    err << "asncounterd: cannot watch for signals (signalfd, eventfd)\n";
    return 1;
  }
  auto inputs = make_inputs(options);
  if (!inputs) {
    err << "asncounterd: " << inputs.error() << "\n";
    return 2;
  }
  auto chosen = choose_once_table(options, err);
  if (!chosen) {
    err << "asncounterd: " << chosen.error() << "\n";
    return 1;
  }
  CounterStore store(chosen->table, options.shards);
  const AsNames* np = chosen->names.get();
  auto print_report = [&](bool interim) {
    // An interim report says so first: it is not the end of the input.
    if (interim) out << "# interim report (SIGHUP or SIGUSR1): the counts so far; the final report follows\n";
    out << format_report(make_asn_report(store.top_asns(options.top), np),
                         make_prefix_report(store.top_prefixes(options.top), np));
    out.flush();
  };
  OnceSink sink(store, options.count, watch);
  bool ok = run_inputs(
      *inputs, options, watch, sink, [&] { print_report(true); }, err);
  print_report(false);
  return ok ? 0 : 1;
}

}  // namespace asncounter
