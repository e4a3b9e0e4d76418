#pragma once
// Packet inputs: live capture with libpcap and offline replay of a file.

#include <memory>
#include <string>

#include "daemon/input/input.hpp"

namespace asncounter {

enum class PcapSourceKind { live, file };

/// A capture of interface `name` (live) or a replay of file `name`.
Result<std::unique_ptr<Input>> make_pcap_input(PcapSourceKind kind, const std::string& name,
                                               const std::string& spec, const InputOptions& options);

}  // namespace asncounter
