#include "daemon/input/line_format.hpp"

#include <cstring>

#include "daemon/input/line_text.hpp"

namespace asncounter {
namespace {

using text::is_space;
using text::trim;

// Field numbers beyond this are surely a typo, and a bound keeps the scan cheap.
constexpr std::size_t kMaxField = 1024;

std::optional<std::size_t> parse_field_number(std::string_view s) {
  if (s.empty() || s.size() > 4) return std::nullopt;
  std::size_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::size_t>(c - '0');
  }
  if (n == 0 || n > kMaxField) return std::nullopt;
  return n;
}

// A tuple count: 1 to 2^32-1 (a zero count would be an event without a hit).
std::optional<std::uint32_t> parse_count(std::string_view s) {
  if (s.empty() || s.size() > 10) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (n == 0 || n > UINT32_MAX) return std::nullopt;
  return static_cast<std::uint32_t>(n);
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

LineOutcome parse_tuple(std::string_view line, LineEvent& out) {
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

std::string_view strip_comment(std::string_view line) {
  const void* hash = std::memchr(line.data(), '#', line.size());
  if (hash) line = line.substr(0, static_cast<std::size_t>(static_cast<const char*>(hash) - line.data()));
  return trim(line);
}

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

Result<LineFormat> LineFormat::parse(std::string_view spec) {
  static constexpr const char* kExpected =
      " (expected plain, tuple, field:N, tcpdump or json:KEY, optionally followed by ,bytes:X and "
      ",latency:Y)";
  LineFormat f;
  f.spec_ = std::string(spec);
  std::size_t comma = spec.find(',');
  std::string_view base = spec.substr(0, comma);
  if (base == "plain" || base == "line") {
    f.kind_ = LineFormatKind::plain;
  } else if (base == "tuple") {
    f.kind_ = LineFormatKind::tuple;
  } else if (base == "tcpdump") {
    f.kind_ = LineFormatKind::tcpdump;
  } else if (base.starts_with("field:")) {
    auto n = parse_field_number(base.substr(6));
    if (!n) return Error{"bad line format '" + f.spec_ + "': field:N needs N from 1 to 1024"};
    f.kind_ = LineFormatKind::field;
    f.field_ = *n;
  } else if (base.starts_with("json:") && base.size() > 5) {
    f.kind_ = LineFormatKind::json;
    f.json_key_ = std::string(base.substr(5));
  } else {
    return Error{"unknown line format '" + f.spec_ + "'" + kExpected};
  }
  while (comma != std::string_view::npos) {
    std::size_t next = spec.find(',', comma + 1);
    std::string_view opt = spec.substr(comma + 1, next == std::string_view::npos ? next : next - comma - 1);
    comma = next;
    bool bytes = opt.starts_with("bytes:");
    bool latency = opt.starts_with("latency:");
    if (!bytes && !latency)
      return Error{"bad option '" + std::string(opt) + "' in line format '" + f.spec_ + "'" + kExpected};
    if (f.kind_ != LineFormatKind::field && f.kind_ != LineFormatKind::json)
      return Error{"line format '" + f.spec_ + "': bytes: and latency: only go with field:N and json:KEY"};
    if ((bytes && f.has_bytes_) || (latency && f.has_latency_))
      return Error{"line format '" + f.spec_ + "' names the same option twice"};
    std::string_view where = opt.substr(bytes ? 6 : 8);
    if (f.kind_ == LineFormatKind::field) {
      auto n = parse_field_number(where);
      if (!n)
        return Error{"line format '" + f.spec_ + "': bytes:/latency: need a field number from 1 to 1024"};
      (bytes ? f.bytes_field_ : f.latency_field_) = *n;
    } else {
      if (where.empty()) return Error{"line format '" + f.spec_ + "': bytes:/latency: need a JSON key"};
      (bytes ? f.json_bytes_key_ : f.json_latency_key_) = std::string(where);
    }
    (bytes ? f.has_bytes_ : f.has_latency_) = true;
  }
  return f;
}

LineOutcome LineFormat::parse_line(std::string_view line, LineEvent& out) const noexcept {
  out = LineEvent{};
  switch (kind_) {
    case LineFormatKind::plain: {
      // Most lines are a bare address: try that before trimming, comments,
      // brackets and ports (a third of the cost of a line).
      if (auto a = parse_address(line)) {
        out.addr = *a;
        return LineOutcome::event;
      }
      line = strip_comment(line);
      if (line.empty()) return LineOutcome::skip;
      auto a = parse_host(line);
      if (!a) return LineOutcome::reject;
      out.addr = *a;
      return LineOutcome::event;
    }
    case LineFormatKind::tuple:
      line = strip_comment(line);
      if (line.empty()) return LineOutcome::skip;
      return parse_tuple(line, out);
    case LineFormatKind::field:
      return parse_fields(line, out);
    case LineFormatKind::tcpdump: {
      if (trim(line).empty()) return LineOutcome::skip;
      auto a = parse_tcpdump_source(line);
      if (!a) return LineOutcome::reject;
      out.addr = *a;
      return LineOutcome::event;
    }
    case LineFormatKind::json:
      return parse_json(line, out);
  }
  return LineOutcome::reject;
}

LineOutcome LineFormat::parse_fields(std::string_view line, LineEvent& out) const noexcept {
  if (trim(line).empty()) return LineOutcome::skip;
  std::string_view addr_text, bytes_text, latency_text;
  std::size_t last = std::max(field_, std::max(bytes_field_, latency_field_));
  std::size_t pos = 0;
  for (std::size_t n = 1; n <= last; ++n) {
    std::string_view f = text::next_field(line, pos);
    if (f.empty()) break;
    if (n == field_) addr_text = f;
    if (n == bytes_field_) bytes_text = f;
    if (n == latency_field_) latency_text = f;
  }
  auto a = parse_host(addr_text);
  if (!a) return LineOutcome::reject;
  out.addr = *a;
  // A missing or unreadable size or time does not lose the hit: the line
  // holds an address, so it counts (with 0 bytes, without a time).
  if (has_bytes_) out.bytes = parse_bytes_field(bytes_text).value_or(0);
  if (has_latency_) out.latency_us = parse_latency_field(latency_text).value_or(LineEvent::kNoLatency);
  return LineOutcome::event;
}

std::optional<Address> parse_host(std::string_view s) noexcept {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  if (s.empty()) return std::nullopt;
  if (s.front() == '[') {
    std::size_t close = s.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view rest = s.substr(close + 1);
    if (!rest.empty() && (rest.front() != ':' || !text::is_port(rest.substr(1)))) return std::nullopt;
    return text::parse_zoned(s.substr(1, close - 1));
  }
  std::size_t colon = s.find(':');
  if (colon == std::string_view::npos) return parse_address(s);
  if (s.find(':', colon + 1) == std::string_view::npos) {
    // One colon: only "IPv4:port" fits (an IPv6 address has at least two).
    if (!text::is_port(s.substr(colon + 1))) return std::nullopt;
    auto a = parse_address(s.substr(0, colon));
    if (!a || !a->is_v4()) return std::nullopt;
    return a;
  }
  return text::parse_zoned(s);
}

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

std::optional<std::uint64_t> parse_bytes_field(std::string_view s) noexcept {
  if (s == "-") return 0;
  if (s.empty() || s.size() > 19) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n;
}

std::optional<std::uint32_t> parse_latency_field(std::string_view s) noexcept {
  if (!s.empty() && s.back() == ',') s.remove_suffix(1);
  std::size_t i = 0;
  std::uint64_t secs = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i < 5)
    secs = secs * 10 + static_cast<std::uint64_t>(s[i++] - '0');
  std::size_t int_digits = i;
  std::uint64_t micros = 0;
  std::size_t frac_digits = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++frac_digits)
      if (frac_digits < 6) micros = micros * 10 + static_cast<std::uint64_t>(s[i] - '0');
    for (std::size_t k = frac_digits; k < 6; ++k) micros *= 10;
  }
  if (i != s.size() || int_digits + frac_digits == 0) return std::nullopt;
  std::uint64_t total = secs * 1000000 + micros;
  if (total >= LineEvent::kNoLatency) return std::nullopt;
  return static_cast<std::uint32_t>(total);
}

}  // namespace asncounter
