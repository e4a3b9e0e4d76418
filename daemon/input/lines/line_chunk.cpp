#include "daemon/input/lines/line_chunk.hpp"

#include <cstring>
#include <string_view>

#include "common/ip.hpp"
#include "daemon/input/lines/line_splitter.hpp"

namespace asncounter {
void parse_lines(const char* p, const char* own_end, const char* data_end, bool at_eof, LinePump& pump) {
  const bool plain = pump.plain();
  std::uint64_t oversized = 0;
  while (p < own_end) {
    if (plain) {
      // Most plain lines are a bare dotted quad: read it, and if the line
      // ends right after it, that is the whole line (parse_plain_line would
      // take it the same way). Anything else goes the general way.
      std::uint32_t addr = 0;
      const char* q = scan_v4(p, data_end, addr);
      if (q && q < data_end) {
        if (*q == '\n') {
          pump.v4_event(addr);
          p = q + 1;
          continue;
        }
        if (*q == '\r' && q + 1 < data_end && q[1] == '\n') {
          pump.v4_event(addr);
          p = q + 2;
          continue;
        }
      }
    }
    auto rest = static_cast<std::size_t>(data_end - p);
    const auto* nl = static_cast<const char*>(std::memchr(p, '\n', rest));
    if (!nl) {
      if (!at_eof || rest > LineSplitter::kMaxLine)
        ++oversized;
      else
        pump.line(without_cr(p, rest));
      break;
    }
    auto len = static_cast<std::size_t>(nl - p);
    if (len > LineSplitter::kMaxLine)
      ++oversized;
    else
      pump.line(without_cr(p, len));
    p = nl + 1;
  }
  pump.oversized(oversized);
}

}  // namespace asncounter
