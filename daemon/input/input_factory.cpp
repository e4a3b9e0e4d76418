#include <string_view>

#include "daemon/input/flow/flow_input.hpp"
#include "daemon/input/input.hpp"
#include "daemon/input/line_source.hpp"
#include "daemon/input/pcap_source.hpp"

namespace asncounter {

Result<std::unique_ptr<Input>> make_input(const std::string& spec, const InputOptions& options) {
  std::string_view s = spec;
  auto after = [&](std::string_view prefix) { return std::string(s.substr(prefix.size())); };
  if (s == "-" || s == "stdin") return make_line_input(LineSourceKind::stdin_, "-", spec, options);
  if (s.starts_with("file:")) return make_line_input(LineSourceKind::file, after("file:"), spec, options);
  if (s.starts_with("fifo:")) return make_line_input(LineSourceKind::fifo, after("fifo:"), spec, options);
  if (s.starts_with("pcap-file:"))
    return make_pcap_input(PcapSourceKind::file, after("pcap-file:"), spec, options);
  if (s.starts_with("pcap:")) return make_pcap_input(PcapSourceKind::live, after("pcap:"), spec, options);
  if (s.starts_with("sflow:")) return make_flow_input(flow::FlowPort::sflow, after("sflow:"), spec, options);
  if (s.starts_with("netflow:"))
    return make_flow_input(flow::FlowPort::netflow, after("netflow:"), spec, options);
  return Error{"unknown input '" + spec +
               "' (expected -, stdin, file:PATH, fifo:PATH, pcap:IFACE, pcap-file:PATH, sflow:ADDR:PORT or "
               "netflow:ADDR:PORT)"};
}

}  // namespace asncounter
