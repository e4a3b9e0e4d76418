#include "daemon/once.hpp"

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "common/report.hpp"
#include "common/table/as_names.hpp"
#include "daemon/input/input.hpp"
#include "daemon/once_table.hpp"
#include "daemon/options.hpp"
#include "daemon/store/counter_store.hpp"

namespace asncounter {

namespace {

/// Starts every input, waits for all of them to end; false when one failed.
bool run_inputs(const std::vector<std::unique_ptr<Input>>& inputs, CounterStore& store, std::ostream& err) {
  for (auto& in : inputs) in->start([&store](const EventBatch& b) { store.add(b); });
  for (auto& in : inputs) in->wait();
  bool ok = true;
  for (auto& in : inputs) {
    InputCounters c = in->counters();
    if (c.rejected)
      err << "asncounterd: " << in->spec() << ": " << c.rejected
          << " lines rejected (no address, or a size above 1 TiB)\n";
    if (c.state.phase == InputPhase::error) {
      err << "asncounterd: " << in->spec() << ": " << c.state.text() << "\n";
      ok = false;
    }
  }
  return ok;
}

}  // namespace

int run_once(const Options& options, std::ostream& out, std::ostream& err) {
  InputOptions io;
  io.format = options.input_format;
  io.bpf_filter = options.filter;
  io.direction = name_of(options.direction);
  io.once = true;
  std::vector<std::unique_ptr<Input>> inputs;
  for (const std::string& spec : options.inputs.empty() ? std::vector<std::string>{"-"} : options.inputs) {
    auto in = make_input(spec, io);
    if (!in) {
      err << "asncounterd: " << in.error() << "\n";
      return 2;
    }
    inputs.push_back(std::move(*in));
  }
  auto chosen = choose_once_table(options, err);
  if (!chosen) {
    err << "asncounterd: " << chosen.error() << "\n";
    return 1;
  }
  CounterStore store(chosen->table, options.shards);
  bool ok = run_inputs(inputs, store, err);
  const AsNames* np = chosen->names.get();
  out << format_report(make_asn_report(store.top_asns(options.top), np),
                       make_prefix_report(store.top_prefixes(options.top), np));
  out.flush();
  return ok ? 0 : 1;
}

}  // namespace asncounter
