// plain: one address per line, as bare or as logs write it (parse_host).
#include "daemon/input/lines/line_format.hpp"
#include "daemon/input/lines/line_text.hpp"

namespace asncounter {

LineOutcome parse_plain_line(const LineSpec&, std::string_view line, LineEvent& out) noexcept {
  // Most lines are a bare address: try that before trimming, comments,
  // brackets and ports (a third of the cost of a line).
  if (auto a = parse_address(line)) {
    out.addr = *a;
    return LineOutcome::event;
  }
  line = text::strip_comment(line);
  if (line.empty()) return LineOutcome::skip;
  auto a = parse_host(line);
  if (!a) return LineOutcome::reject;
  out.addr = *a;
  return LineOutcome::event;
}

}  // namespace asncounter
