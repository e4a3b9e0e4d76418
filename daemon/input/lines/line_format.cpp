#include "daemon/input/lines/line_format.hpp"

#include "common/parse_number.hpp"
#include "common/registry.hpp"
#include "daemon/input/lines/line_text.hpp"

namespace asncounter {

// The parsers, one file each (line_format_NAME.cpp).
LineOutcome parse_plain_line(const LineSpec& spec, std::string_view line, LineEvent& out) noexcept;
LineOutcome parse_tuple_line(const LineSpec& spec, std::string_view line, LineEvent& out) noexcept;
LineOutcome parse_field_line(const LineSpec& spec, std::string_view line, LineEvent& out) noexcept;
LineOutcome parse_tcpdump_line(const LineSpec& spec, std::string_view line, LineEvent& out) noexcept;
LineOutcome parse_json_line(const LineSpec& spec, std::string_view line, LineEvent& out) noexcept;

namespace {

using Arg = LineFormatArg;

constexpr LineFormatRow kLineFormats[] = {
    {"plain", Arg::none, false, parse_plain_line,
     "the whole line, surrounding blanks ignored; text after '#' is a comment", "line"},
    {"tuple", Arg::none, false, parse_tuple_line,
     "an address and a count in either order (uniq -c, Python tuples); the count is the hits"},
    {"field", Arg::field, true, parse_field_line, "the N-th blank-separated field, 1-based, like awk's $N"},
    {"tcpdump", Arg::none, false, parse_tcpdump_line, "the source address of tcpdump -n or -n -q output"},
    {"json", Arg::key, true, parse_json_line,
     "the string at KEY (a dotted path) in a one-object-per-line log"},
};

// Field numbers beyond this are surely a typo, and a bound keeps the scan cheap.
constexpr std::size_t kMaxField = 1024;

std::optional<std::size_t> parse_field_number(std::string_view s) {
  if (s.size() > 4) return std::nullopt;
  auto n = parse_unsigned<std::size_t>(s);
  if (!n || *n == 0 || *n > kMaxField) return std::nullopt;
  return n;
}

const LineFormatRow* find_row(std::string_view name) {
  for (const LineFormatRow& row : kLineFormats)
    if (row.name == name || (!row.alias.empty() && row.alias == name)) return &row;
  return nullptr;
}

// "a, b or c" of the rows that pass `keep`.
template <class Keep>
std::string join_rows(Keep keep, std::string_view last) {
  return registry::join_rows(kLineFormats, line_format_usage, keep, last);
}

std::string expected() {
  return " (expected " + line_format_names() + ", optionally followed by ,bytes:X and ,latency:Y)";
}

}  // namespace

std::span<const LineFormatRow> line_formats() { return kLineFormats; }

std::string line_format_usage(const LineFormatRow& row) {
  switch (row.argument) {
    case Arg::none:
      return std::string(row.name);
    case Arg::field:
      return std::string(row.name) + ":N";
    case Arg::key:
      return std::string(row.name) + ":KEY";
  }
  return std::string(row.name);
}

std::string line_format_names() {
  return join_rows([](const LineFormatRow&) { return true; }, " or ");
}

Result<LineFormat> LineFormat::parse(std::string_view spec) {
  const std::string text(spec);
  std::size_t comma = spec.find(',');
  std::string_view base = spec.substr(0, comma);
  std::size_t colon = base.find(':');
  const LineFormatRow* row = find_row(base.substr(0, colon));
  std::string_view arg = colon == std::string_view::npos ? std::string_view() : base.substr(colon + 1);
  // A name without its argument, or with one it does not take, is no format.
  if (!row || (row->argument == Arg::none) != (colon == std::string_view::npos) ||
      (row->argument == Arg::key && arg.empty()))
    return Error{"unknown line format '" + text + "'" + expected()};
  LineFormat f;
  f.parse_ = row->parse;
  f.plain_ = row->parse == parse_plain_line;
  LineSpec& s = f.spec_;
  if (row->argument == Arg::field) {
    auto n = parse_field_number(arg);
    if (!n)
      return Error{"bad line format '" + text + "': " + line_format_usage(*row) + " needs N from 1 to " +
                   std::to_string(kMaxField)};
    s.field = *n;
  } else if (row->argument == Arg::key) {
    s.key = std::string(arg);
  }
  while (comma != std::string_view::npos) {
    std::size_t next = spec.find(',', comma + 1);
    std::string_view opt = spec.substr(comma + 1, next == std::string_view::npos ? next : next - comma - 1);
    comma = next;
    bool bytes = opt.starts_with("bytes:");
    bool latency = opt.starts_with("latency:");
    if (!bytes && !latency)
      return Error{"bad option '" + std::string(opt) + "' in line format '" + text + "'" + expected()};
    if (!row->extras)
      return Error{"line format '" + text + "': bytes: and latency: only go with " +
                   join_rows([](const LineFormatRow& r) { return r.extras; }, " and ")};
    if ((bytes && s.has_bytes) || (latency && s.has_latency))
      return Error{"line format '" + text + "' names the same option twice"};
    std::string_view where = opt.substr(bytes ? 6 : 8);
    if (row->argument == Arg::field) {
      auto n = parse_field_number(where);
      if (!n)
        return Error{"line format '" + text + "': bytes:/latency: need a field number from 1 to " +
                     std::to_string(kMaxField)};
      (bytes ? s.bytes_field : s.latency_field) = *n;
    } else {
      if (where.empty()) return Error{"line format '" + text + "': bytes:/latency: need a JSON key"};
      (bytes ? s.bytes_key : s.latency_key) = std::string(where);
    }
    (bytes ? s.has_bytes : s.has_latency) = true;
  }
  return f;
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

std::optional<std::uint64_t> parse_bytes_field(std::string_view s) noexcept {
  if (s == "-") return 0;
  if (s.size() > 19) return std::nullopt;
  return parse_unsigned<std::uint64_t>(s);
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
