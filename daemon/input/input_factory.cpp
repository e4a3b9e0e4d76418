// The input kinds as a registry: one row per scheme of --input. make_input,
// the option check, --help and the default config all read these rows, so a
// new kind (sFlow, NetFlow) is one row here and the file that implements it.
#include <array>
#include <string_view>

#include "common/registry.hpp"
#include "daemon/input/capture/pcap_source.hpp"
#include "daemon/input/flow/flow_input.hpp"
#include "daemon/input/input.hpp"
#include "daemon/input/lines/line_source.hpp"

namespace asncounter {
namespace {

using MakeInput = Result<std::unique_ptr<Input>> (*)(const std::string& argument, const std::string& spec,
                                                     const InputOptions& options);

struct InputKindRow {
  std::string_view scheme;    ///< "file:" (an argument follows) or a whole spec ("-")
  std::string_view argument;  ///< what follows the scheme ("PATH"); empty: nothing may
  MakeInput make;
};

template <LineSourceKind kind>
Result<std::unique_ptr<Input>> line_input(const std::string& path, const std::string& spec,
                                          const InputOptions& options) {
  // stdin has no path; "-" names it in stats and errors.
  return make_line_input(kind, kind == LineSourceKind::stdin_ ? "-" : path, spec, options);
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
constexpr std::array kInputKinds = {
    InputKindRow{"-", "", line_input<LineSourceKind::stdin_>},
    InputKindRow{"stdin", "", line_input<LineSourceKind::stdin_>},
    InputKindRow{"file:", "PATH", line_input<LineSourceKind::file>},
    InputKindRow{"fifo:", "PATH", line_input<LineSourceKind::fifo>},
    InputKindRow{"pcap:", "IFACE", pcap_input<PcapSourceKind::live>},
    InputKindRow{"pcap-file:", "PATH", pcap_input<PcapSourceKind::file>},
    InputKindRow{"sflow:", "ADDR:PORT", flow_input<flow::FlowPort::sflow>},
    InputKindRow{"netflow:", "ADDR:PORT", flow_input<flow::FlowPort::netflow>},
};

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

Result<std::unique_ptr<Input>> make_input(const std::string& spec, const InputOptions& options) {
  const InputKindRow* row = find_kind(spec);
  if (!row) return Error{"unknown input '" + spec + "' (expected " + input_spec_names() + ")"};
  return row->make(spec.substr(row->scheme.size()), spec, options);
}

}  // namespace asncounter
