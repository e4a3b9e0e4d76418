// field:N: the N-th blank-separated field (awk's $N), with optional size and
// request-time fields.
#include <algorithm>

#include "common/saturating.hpp"
#include "daemon/input/lines/line_format.hpp"
#include "daemon/input/lines/line_text.hpp"

namespace asncounter {

LineOutcome parse_field_line(const LineSpec& spec, std::string_view line, LineEvent& out) noexcept {
  if (text::trim(line).empty()) return LineOutcome::skip;
  std::string_view addr_text, bytes_text, latency_text;
  std::size_t last = std::max(spec.field, std::max(spec.bytes_field, spec.latency_field));
  std::size_t pos = 0;
  for (std::size_t n = 1; n <= last; ++n) {
    std::string_view f = text::next_field(line, pos);
    if (f.empty()) break;
    if (n == spec.field) addr_text = f;
    if (n == spec.bytes_field) bytes_text = f;
    if (n == spec.latency_field) latency_text = f;
  }
  auto a = parse_host(addr_text);
  if (!a) return LineOutcome::reject;
  out.addr = *a;
  // A missing or unreadable size or time does not lose the hit: the line
  // holds an address, so it counts (with 0 bytes, without a time).
  if (spec.has_bytes) {
    out.bytes = parse_bytes_field(bytes_text).value_or(0);
    if (out.bytes > kMaxEventBytes) return LineOutcome::reject;  // absurd: a forged line
  }
  if (spec.has_latency) out.latency_us = parse_latency_field(latency_text).value_or(LineEvent::kNoLatency);
  return LineOutcome::event;
}

}  // namespace asncounter
