#pragma once
// The flow inputs: `sflow:ADDR:PORT` (sFlow v5) and `netflow:ADDR:PORT`
// (NetFlow v5, v9 and IPFIX on one port), each a UDP socket read in batches
// on its own thread, its records counted into the store like any other input.

#include <memory>
#include <string>

#include "daemon/input/flow/flow_collector.hpp"
#include "daemon/input/input.hpp"

namespace asncounter {

/// An input for the flows sent to `endpoint` ("192.0.2.1:2055", "[::]:6343").
Result<std::unique_ptr<Input>> make_flow_input(flow::FlowPort port, const std::string& endpoint,
                                               const std::string& spec, const InputOptions& options);

/// Parses a flow-exporters list ("192.0.2.0/24, 2001:db8::/32"); the error
/// names the entry that is not a prefix. Empty: see loopback_exporters().
Result<std::vector<Prefix>> parse_exporter_list(const std::string& text);

/// Who may send when flow-exporters is empty: this host only (127.0.0.0/8, ::1).
std::vector<Prefix> loopback_exporters();

/// What a start would refuse of this flow input (--check-config): an endpoint
/// that is not ADDR:PORT, a port that does not bind (bound and closed at once;
/// "in use" is no problem when `daemon_running`: the daemon holds it).
std::vector<std::string> check_flow_input(const std::string& endpoint, const std::string& spec,
                                          bool daemon_running);

}  // namespace asncounter
