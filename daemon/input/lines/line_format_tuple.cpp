// tuple: an address and a count, as the Python tool and `uniq -c` write them.
#include "daemon/input/lines/line_format.hpp"

#include "common/parse_number.hpp"
#include "daemon/input/lines/line_text.hpp"

namespace asncounter {
namespace {

using text::is_space;

// A tuple count: 1 to 2^32-1 (a zero count would be an event without a hit).
std::optional<std::uint32_t> parse_count(std::string_view s) {
  if (s.size() > 10) return std::nullopt;
  auto n = parse_unsigned<std::uint32_t>(s);
  if (!n || *n == 0) return std::nullopt;
  return n;
}

// The Python tool's tuples come as "addr count", "count addr" (uniq -c) or
// Python's own repr "('addr', count)": split on blanks and commas, strip
// brackets and quotes around each piece.
std::string_view tuple_piece(std::string_view s, std::size_t& pos) {
  auto sep = [](char c) { return is_space(c) || c == ','; };
  while (pos < s.size() && sep(s[pos])) ++pos;
  std::size_t start = pos;
  while (pos < s.size() && !sep(s[pos])) ++pos;
  std::string_view piece = s.substr(start, pos - start);
  auto junk = [](char c) { return c == '(' || c == ')' || c == '\'' || c == '"'; };
  while (!piece.empty() && junk(piece.front())) piece.remove_prefix(1);
  while (!piece.empty() && junk(piece.back())) piece.remove_suffix(1);
  return piece;
}

}  // namespace

LineOutcome parse_tuple_line(const LineSpec&, std::string_view line, LineEvent& out) noexcept {
  line = text::strip_comment(line);
  if (line.empty()) return LineOutcome::skip;
  std::size_t pos = 0;
  std::string_view a = tuple_piece(line, pos);
  std::string_view b = tuple_piece(line, pos);
  if (!tuple_piece(line, pos).empty() || b.empty()) return LineOutcome::reject;
  if (auto addr = parse_host(a)) {
    if (auto n = parse_count(b)) {
      out.addr = *addr;
      out.hits = *n;
      return LineOutcome::event;
    }
  } else if (auto n = parse_count(a)) {
    if (auto addr2 = parse_host(b)) {
      out.addr = *addr2;
      out.hits = *n;
      return LineOutcome::event;
    }
  }
  return LineOutcome::reject;
}

}  // namespace asncounter
