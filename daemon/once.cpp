#include "daemon/once.hpp"

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "common/report.hpp"
#include "common/table/as_names.hpp"
#include "common/table/table_file.hpp"
#include "daemon/input/input.hpp"
#include "daemon/input/parallel_lines.hpp"
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

/// The AS names of --asnames, or none. A separate function keeps GCC 12
/// from a false -Wfree-nonheap-object on the inlined Result<AsNames>.
Result<std::shared_ptr<const AsNames>> load_names(const std::string& path) {
  if (path.empty()) return std::shared_ptr<const AsNames>();
  auto names = AsNames::load(path);
  if (!names) return Error{names.error()};
  return std::shared_ptr<const AsNames>(std::make_shared<AsNames>(std::move(*names)));
}

}  // namespace

int run_once(const Options& options, std::ostream& out, std::ostream& err) {
  if (options.db.empty()) {
    err << "asncounterd: --once needs --db FILE (an MRT dump or a pyasn ipasn file)\n";
    return 2;
  }
  InputOptions io;
  io.format = options.input_format;
  io.bpf_filter = options.filter;
  io.direction = name_of(options.direction);
  io.once = true;
  io.threads = options.threads ? options.threads : available_cores();
  std::vector<std::unique_ptr<Input>> inputs;
  for (const std::string& spec : options.inputs.empty() ? std::vector<std::string>{"-"} : options.inputs) {
    auto in = make_input(spec, io);
    if (!in) {
      err << "asncounterd: " << in.error() << "\n";
      return 2;
    }
    inputs.push_back(std::move(*in));
  }
  auto table = load_table(options.db, nullptr, table_limits(options));
  if (!table) {
    err << "asncounterd: " << table.error() << "\n";
    return 1;
  }
  auto names = load_names(options.asnames);
  if (!names) {
    err << "asncounterd: " << names.error() << "\n";
    return 1;
  }
  CounterStore store(*table, options.shards);
  bool ok = run_inputs(inputs, store, err);
  const AsNames* np = names->get();
  out << format_report(make_asn_report(store.top_asns(options.top), np),
                       make_prefix_report(store.top_prefixes(options.top), np));
  out.flush();
  return ok ? 0 : 1;
}

}  // namespace asncounter
