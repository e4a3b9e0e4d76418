#include "daemon/input/flow/record_bounds.hpp"

#include <string_view>

#include "common/parse_number.hpp"

namespace asncounter::flow {

Result<std::vector<SamplingOverride>> parse_sampling_overrides(const std::string& text) {
  std::vector<SamplingOverride> out;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t end = text.find_first_of(", \t", i);
    const std::string_view item = std::string_view(text).substr(i, end == std::string::npos ? end : end - i);
    i = end == std::string::npos ? text.size() : end + 1;
    if (item.empty()) continue;
    auto bad = [&](const char* why) { return Error{"'" + std::string(item) + "': " + why}; };
    const std::size_t eq = item.find('=');
    if (eq == std::string_view::npos) return bad("expected EXPORTER=RATE (192.0.2.0/24=1000)");
    const std::string_view who = item.substr(0, eq);
    const auto rate = parse_unsigned<std::uint32_t>(item.substr(eq + 1));
    if (!rate || *rate == 0) return bad("the rate must be a whole number from 1 to 4294967295");
    SamplingOverride o;
    o.rate = *rate;
    if (auto p = parse_prefix(who)) {
      o.exporters = *p;
    } else if (auto a = parse_address(who)) {
      o.exporters = Prefix{*a, static_cast<std::uint8_t>(a->is_v4() ? 32 : 128)};
    } else {
      return bad("not an address or a prefix before '='");
    }
    out.push_back(o);
  }
  return out;
}

std::optional<std::uint32_t> override_for(const std::vector<SamplingOverride>& list,
                                          const Address& exporter) noexcept {
  const SamplingOverride* best = nullptr;
  for (const SamplingOverride& o : list)
    if (contains(o.exporters, exporter) && (!best || o.exporters.len > best->exporters.len)) best = &o;
  if (!best) return std::nullopt;
  return best->rate;
}

Reject check_record(const FlowRecord& f, const RecordBounds& bounds) noexcept {
  if (f.sampling_rate > bounds.max_sampling) return Reject::sampling_too_high;
  if (f.packets > bounds.max_packets) return Reject::packets_too_high;
  if (f.octets > bounds.max_octets) return Reject::octets_too_high;
  return Reject::none;
}

}  // namespace asncounter::flow
