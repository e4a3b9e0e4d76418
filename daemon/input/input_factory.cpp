// The input kinds as a registry: one row per scheme of --input. make_input,
// the option check, --help, the default config, --check-config and whoever
// reports inputs (stats, metrics) read these rows, so a new kind is one row
// here and the files that implement it. No one else reads a scheme.
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "common/registry.hpp"
#include "daemon/input/capture/pcap_source.hpp"
#include "daemon/input/flow/flow_input.hpp"
#include "daemon/input/input.hpp"
#include "daemon/input/lines/line_source.hpp"

namespace asncounter {
namespace {

using MakeInput = Result<std::unique_ptr<Input>> (*)(const std::string& argument, const std::string& spec,
                                                     const InputOptions& options);

using CheckInput = std::vector<std::string> (*)(const std::string& argument, const std::string& spec,
                                                const InputCheckContext& context);
/// The link type a filter is compiled for on this kind; null: reads no frames.
using LinkType = int (*)(const std::string& argument);

struct InputKindRow {
  std::string_view scheme;    ///< "file:" (an argument follows) or a whole spec ("-")
  std::string_view argument;  ///< what follows the scheme ("PATH"); empty: nothing may
  MakeInput make;
  CheckInput check;  ///< what a start would refuse, found without starting
  LinkType link_type;
  InputTraits traits;  ///< frames follows link_type; flows and lossy are said here
};

template <LineSourceKind kind>
Result<std::unique_ptr<Input>> line_input(const std::string& path, const std::string& spec,
                                          const InputOptions& options) {
  // stdin has no path; "-" names it in stats and errors.
  return make_line_input(kind, kind == LineSourceKind::stdin_ ? "-" : path, spec, options);
}

template <LineSourceKind kind>
std::vector<std::string> line_check(const std::string& path, const std::string& spec,
                                    const InputCheckContext&) {
  return check_line_input(kind, path, spec);
}

template <PcapSourceKind kind>
std::vector<std::string> pcap_check(const std::string& name, const std::string& spec,
                                    const InputCheckContext&) {
  return check_pcap_input(kind, name, spec);
}

template <PcapSourceKind kind>
int pcap_link(const std::string& name) {
  return pcap_link_type(kind, name);
}

std::vector<std::string> flow_check(const std::string& endpoint, const std::string& spec,
                                    const InputCheckContext& context) {
  return check_flow_input(endpoint, spec, context.daemon_running);
}

template <PcapSourceKind kind>
Result<std::unique_ptr<Input>> pcap_input(const std::string& name, const std::string& spec,
                                          const InputOptions& options) {
  return make_pcap_input(kind, name, spec, options);
}

template <flow::FlowPort port>
Result<std::unique_ptr<Input>> flow_input(const std::string& endpoint, const std::string& spec,
                                          const InputOptions& options) {
  return make_flow_input(port, endpoint, spec, options);
}

// The order is the order of --help; no scheme is a prefix of another.
// Traits: {frames (set from link_type), flows, lossy}. One row per line:
// clang-format off
constexpr std::array kInputKinds = {
    InputKindRow{"-", "", line_input<LineSourceKind::stdin_>, line_check<LineSourceKind::stdin_>, nullptr, {}},
    InputKindRow{"stdin", "", line_input<LineSourceKind::stdin_>, line_check<LineSourceKind::stdin_>, nullptr, {}},
    InputKindRow{"file:", "PATH", line_input<LineSourceKind::file>, line_check<LineSourceKind::file>, nullptr, {}},
    InputKindRow{"fifo:", "PATH", line_input<LineSourceKind::fifo>, line_check<LineSourceKind::fifo>, nullptr, {}},
    InputKindRow{"pcap:", "IFACE", pcap_input<PcapSourceKind::live>, pcap_check<PcapSourceKind::live>,
                 pcap_link<PcapSourceKind::live>, {.lossy = true}},
    InputKindRow{"pcap-file:", "PATH", pcap_input<PcapSourceKind::file>, pcap_check<PcapSourceKind::file>,
                 pcap_link<PcapSourceKind::file>, {}},
    InputKindRow{"sflow:", "ADDR:PORT", flow_input<flow::FlowPort::sflow>, flow_check, nullptr,
                 {.flows = true, .lossy = true}},
    InputKindRow{"netflow:", "ADDR:PORT", flow_input<flow::FlowPort::netflow>, flow_check, nullptr,
                 {.flows = true, .lossy = true}},
};
// clang-format on

// The row `spec` names, or null; a scheme that takes an argument needs one.
const InputKindRow* find_kind(std::string_view spec) {
  for (const InputKindRow& row : kInputKinds) {
    if (row.argument.empty() ? spec == row.scheme
                             : spec.starts_with(row.scheme) && spec.size() > row.scheme.size())
      return &row;
  }
  return nullptr;
}

}  // namespace

const std::string& input_spec_names() {
  static const std::string names = registry::join_rows(
      kInputKinds, [](const InputKindRow& r) { return std::string(r.scheme) + std::string(r.argument); },
      [](const InputKindRow&) { return true; });
  return names;
}

bool is_input_spec(std::string_view spec) { return find_kind(spec) != nullptr; }

InputTraits input_traits(std::string_view spec) {
  const InputKindRow* row = find_kind(spec);
  if (!row) return {};
  InputTraits t = row->traits;
  t.frames = row->link_type != nullptr;
  return t;
}

std::vector<std::string> check_input(const std::string& spec, const InputCheckContext& context) {
  const InputKindRow* row = find_kind(spec);
  if (!row) return {"unknown input '" + spec + "' (expected " + input_spec_names() + ")"};
  return row->check(spec.substr(row->scheme.size()), spec, context);
}

int filter_link_type(const std::string& spec) {
  const InputKindRow* row = find_kind(spec);
  return row && row->link_type ? row->link_type(spec.substr(row->scheme.size())) : -1;
}

Result<std::unique_ptr<Input>> make_input(const std::string& spec, const InputOptions& options) {
  const InputKindRow* row = find_kind(spec);
  if (!row) return Error{"unknown input '" + spec + "' (expected " + input_spec_names() + ")"};
  return row->make(spec.substr(row->scheme.size()), spec, options);
}

}  // namespace asncounter
