#pragma once
// Line formats: how an address (and optionally a size and a request time)
// is found in one line of text. Lines are untrusted: parsing never throws,
// and the plain path allocates nothing (it runs tens of millions of times a
// second in one-shot mode).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ip.hpp"
#include "common/result.hpp"

namespace asncounter {

enum class LineFormatKind { plain, tuple, field, tcpdump, json };

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

/// A parsed format spec, e.g. "field:1,bytes:10,latency:11".
class LineFormat {
 public:
  /// Parses a spec of DESIGN.md "Inputs"; the error says what is wrong and what is expected.
  static Result<LineFormat> parse(std::string_view spec);

  /// Parses one line (without its newline) into `out`. Never throws.
  LineOutcome parse_line(std::string_view line, LineEvent& out) const noexcept;

  LineFormatKind kind() const { return kind_; }
  /// The spec it was made from.
  const std::string& spec() const { return spec_; }
  /// The format names a size field: events carry bytes.
  bool has_bytes() const { return has_bytes_; }
  /// The format names a request-time field: events carry latency.
  bool has_latency() const { return has_latency_; }

 private:
  LineOutcome parse_fields(std::string_view line, LineEvent& out) const noexcept;
  LineOutcome parse_json(std::string_view line, LineEvent& out) const noexcept;

  LineFormatKind kind_ = LineFormatKind::plain;
  std::string spec_;
  std::size_t field_ = 0;          // field:N, 1-based
  std::size_t bytes_field_ = 0;    // 0: none
  std::size_t latency_field_ = 0;  // 0: none
  std::string json_key_;           // json: dotted paths
  std::string json_bytes_key_;
  std::string json_latency_key_;
  bool has_bytes_ = false;
  bool has_latency_ = false;
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
