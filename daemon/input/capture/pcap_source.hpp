#pragma once
// Packet inputs: live capture with libpcap and offline replay of a file.

#include <memory>
#include <string>
#include <vector>

#include "daemon/input/input.hpp"

namespace asncounter {

enum class PcapSourceKind { live, file };

/// A capture of interface `name` (live) or a replay of file `name`.
Result<std::unique_ptr<Input>> make_pcap_input(PcapSourceKind kind, const std::string& name,
                                               const std::string& spec, const InputOptions& options);

/// What a start would refuse of this capture (--check-config): a capture
/// file that cannot be read. An interface may come later: not checked.
std::vector<std::string> check_pcap_input(PcapSourceKind kind, const std::string& name,
                                          const std::string& spec);

/// The link type a filter is compiled for: a capture file's own, "any"'s
/// cooked header, Ethernet for an interface (what the capture would pick).
int pcap_link_type(PcapSourceKind kind, const std::string& name);

}  // namespace asncounter
