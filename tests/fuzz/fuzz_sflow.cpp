// Fuzz target: the sFlow v5 decoder (every datagram on the sFlow port
// reaches it). A rejected datagram must append nothing; an accepted one
// exactly the records it reports, each with an address family pair that agrees.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "daemon/input/flow/sflow_v5.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static std::vector<asncounter::flow::FlowRecord> out;
  out.clear();
  const auto r = asncounter::flow::decode_sflow_v5(std::span<const std::uint8_t>(data, size), out);
  if (r.reject != asncounter::flow::Reject::none && !out.empty()) __builtin_trap();
  if (out.size() != r.records) __builtin_trap();
  for (const auto& f : out) {
    if (f.source.is_v4() != f.destination.is_v4()) __builtin_trap();
    if (f.packets != 1) __builtin_trap();
  }
  return 0;
}
