// Fuzz target: the NetFlow port (v5, v9 and IPFIX told apart by the version
// field) through one collector kept across inputs, so that templates learned
// from one datagram shape the decoding of the next, as on a live port. The
// cache's small caps must hold whatever comes; a rejected datagram appends
// nothing.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/ip.hpp"
#include "daemon/input/flow/flow_collector.hpp"

namespace {

asncounter::flow::FlowCollector& collector() {
  static asncounter::flow::FlowCollector c = [] {
    asncounter::flow::FlowCollector::Limits limits;
    limits.max_exporters = 4;
    limits.templates.per_domain = 8;
    limits.templates.per_exporter = 16;
    limits.templates.fields_per_exporter = 1024;
    limits.templates.exporters = 4;
    limits.templates.ttl_seconds = 60;
    return asncounter::flow::FlowCollector(asncounter::flow::FlowPort::netflow, limits);
  }();
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static std::vector<asncounter::flow::FlowRecord> out;
  static std::int64_t now = 0;
  out.clear();
  if (size == 0) return 0;
  // The first byte picks the exporter (8 of them: past the cap of 4 too) and moves the clock.
  const auto exporter = asncounter::Address::from_v4(0xCB007100U + (data[0] & 7U));
  now += data[0] >> 3;
  auto& c = collector();
  // Expiry runs on the daemon's timer, not on inserts: here on every input.
  c.templates().expire(now);
  const auto r = c.receive(exporter, std::span<const std::uint8_t>(data + 1, size - 1), now, out);
  if (r.reject != asncounter::flow::Reject::none && !out.empty()) __builtin_trap();
  if (out.size() != r.records) __builtin_trap();
  const auto& t = c.templates();
  if (t.size() > t.limits().total() || t.size_for(exporter) > t.limits().per_exporter) __builtin_trap();
  if (t.exporters() > t.limits().exporters) __builtin_trap();
  if (c.exporters() > 4) __builtin_trap();
  for (const auto& f : out)
    if (f.source.is_v4() != f.destination.is_v4()) __builtin_trap();
  return 0;
}
