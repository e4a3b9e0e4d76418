// tcpdump: the source address of what `tcpdump -n` (or -n -q) prints.
#include "daemon/input/lines/line_format.hpp"
#include "daemon/input/lines/line_text.hpp"

namespace asncounter {
namespace {

using text::is_space;

// tcpdump writes "addr.port"; IPv6 addresses end in hex groups, so a dot
// after the last ':' is either a port or an embedded IPv4 tail (3 dots).
std::optional<Address> parse_tcpdump_host(std::string_view tok) noexcept {
  std::size_t colon = tok.rfind(':');
  std::string_view tail = colon == std::string_view::npos ? tok : tok.substr(colon + 1);
  std::size_t dots = 0;
  for (char c : tail) dots += c == '.' ? 1 : 0;
  bool v6 = colon != std::string_view::npos;
  bool has_port = v6 ? (dots == 1 || dots == 4) : dots == 4;
  if (!v6 && dots != 3 && dots != 4) return std::nullopt;
  if (has_port) {
    std::size_t dot = tok.rfind('.');
    if (dot + 1 == tok.size()) return std::nullopt;
    tok = tok.substr(0, dot);
  }
  return parse_address(tok);
}

}  // namespace

std::optional<Address> parse_tcpdump_source(std::string_view line) noexcept {
  // The source is the word before the first " > " whose destination word
  // ends in ':' ("IP 192.0.2.1.443 > 198.51.100.1.80: tcp 0"); with -e the
  // MAC addresses come first, and their destination ends in ',' instead.
  std::size_t pos = 0;
  while ((pos = line.find(" > ", pos)) != std::string_view::npos) {
    std::size_t start = pos;
    while (start > 0 && !is_space(line[start - 1])) --start;
    std::size_t after = pos + 3;
    std::size_t end = after;
    while (end < line.size() && !is_space(line[end])) ++end;
    std::string_view dst = line.substr(after, end - after);
    if (dst.size() > 1 && dst.back() == ':' && parse_tcpdump_host(dst.substr(0, dst.size() - 1))) {
      if (auto a = parse_tcpdump_host(line.substr(start, pos - start))) return a;
    }
    pos += 3;
  }
  return std::nullopt;
}

LineOutcome parse_tcpdump_line(const LineSpec&, std::string_view line, LineEvent& out) noexcept {
  if (text::trim(line).empty()) return LineOutcome::skip;
  auto a = parse_tcpdump_source(line);
  if (!a) return LineOutcome::reject;
  out.addr = *a;
  return LineOutcome::event;
}

}  // namespace asncounter
