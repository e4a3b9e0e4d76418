#pragma once
// Line formats: how an address (and optionally a size and a request time)
// is found in one line of text. Lines are untrusted: parsing never throws,
// and the plain path allocates nothing (it runs tens of millions of times a
// second in one-shot mode).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/ip.hpp"
#include "common/result.hpp"

namespace asncounter {

/// What one accepted line carries.
struct LineEvent {
  static constexpr std::uint32_t kNoLatency = UINT32_MAX;
  Address addr;
  std::uint32_t hits = 1;                 ///< 1, or a tuple's count
  std::uint64_t bytes = 0;                ///< 0 when the format names no size or the field is "-"
  std::uint32_t latency_us = kNoLatency;  ///< kNoLatency when absent or unreadable
};

/// What became of one line.
enum class LineOutcome {
  event,   ///< `out` holds the event
  skip,    ///< blank or comment-only: neither counted nor rejected
  reject,  ///< holds no address
};

/// Where a spec says the address, size and time are: what a parser reads.
struct LineSpec {
  std::size_t field = 0;          ///< field:N, 1-based
  std::size_t bytes_field = 0;    ///< 0: none
  std::size_t latency_field = 0;  ///< 0: none
  std::string key;                ///< json:KEY, a dotted path
  std::string bytes_key;
  std::string latency_key;
  bool has_bytes = false;
  bool has_latency = false;
};

/// Parses one line (without its newline) into `out`, already reset. Never
/// throws. A plain function pointer: one well-predicted indirect call per
/// line, as cheap as the switch it replaces (tests/bench/bench_line_parse).
using LineParser = LineOutcome (*)(const LineSpec& spec, std::string_view line, LineEvent& out) noexcept;

/// What follows a format's name: nothing, ":N" (a field number) or ":KEY".
enum class LineFormatArg : std::uint8_t { none, field, key };

/// One line format, a row of line_formats(). A new format is one row (in
/// line_format.cpp) plus one parser file (line_format_NAME.cpp) and its test.
struct LineFormatRow {
  std::string_view name;   ///< "field" for field:N
  LineFormatArg argument;  ///< what follows the name
  bool extras;             ///< may be followed by ,bytes:X and ,latency:Y (the same kind as the argument)
  LineParser parse;        ///< the per-line parser
  std::string_view help;   ///< what is taken from a line, one phrase
  std::string_view alias = {};  ///< another name accepted for it ("line" for plain)
};

/// Every line format, in help order.
std::span<const LineFormatRow> line_formats();

/// A row's name as a spec writes it: "plain", "field:N", "json:KEY".
std::string line_format_usage(const LineFormatRow& row);

/// Every format as a spec writes it, "plain, tuple, ... or json:KEY".
std::string line_format_names();

/// A parsed format spec, e.g. "field:1,bytes:10,latency:11".
class LineFormat {
 public:
  /// Parses a spec of docs/inputs.md; the error says what is wrong and what is expected.
  static Result<LineFormat> parse(std::string_view spec);

  /// Parses one line (without its newline) into `out`. Never throws.
  LineOutcome parse_line(std::string_view line, LineEvent& out) const noexcept {
    out = LineEvent{};
    return parse_(spec_, line, out);
  }

  /// The format names a size field: events carry bytes.
  bool has_bytes() const { return spec_.has_bytes; }
  /// The format names a request-time field: events carry latency.
  bool has_latency() const { return spec_.has_latency; }
  /// The plain format: a line that is exactly a dotted quad is its address
  /// (what line_chunk.cpp's one-pass path relies on).
  bool is_plain() const { return plain_; }

 private:
  // What a default-made LineFormat (not from parse()) does: take nothing.
  static LineOutcome reject_all(const LineSpec&, std::string_view, LineEvent&) noexcept {
    return LineOutcome::reject;
  }

  LineSpec spec_;
  LineParser parse_ = reject_all;
  bool plain_ = false;
};

/// An address as logs write it: bare, bracketed ("[2001:db8::1]"), with a
/// port ("192.0.2.1:443", "[2001:db8::1]:443"), with a zone ("fe80::1%eth0",
/// dropped) or in double quotes. IPv4-mapped IPv6 stays as given.
std::optional<Address> parse_host(std::string_view text) noexcept;

/// The source address of a `tcpdump -n` or `tcpdump -n -q` line (any
/// timestamp option, -i any, -e), its port stripped.
std::optional<Address> parse_tcpdump_source(std::string_view line) noexcept;

/// A size field: decimal digits; "-" (Apache's "no body") is 0.
std::optional<std::uint64_t> parse_bytes_field(std::string_view text) noexcept;

/// A request time in seconds as nginx's $request_time writes it ("0.123")
/// to microseconds; a trailing ',' (upstream lists) is ignored.
std::optional<std::uint32_t> parse_latency_field(std::string_view text) noexcept;

}  // namespace asncounter
