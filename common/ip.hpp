#pragma once
// IPv4 and IPv6 addresses and prefixes: the value types every part shares,
// with a fast, non-throwing parser (it reads untrusted input) and the
// canonical text forms (RFC 5952 for IPv6, as Python's ipaddress prints).

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace asncounter {

enum class Family : std::uint8_t { v4 = 4, v6 = 6 };

/// A 128-bit IPv6 address as two host-order halves: hi holds the first 8 bytes.
struct V6 {
  std::uint64_t hi{};
  std::uint64_t lo{};
  friend auto operator<=>(const V6&, const V6&) = default;
};

/// An IPv4 or IPv6 address; only the member of its family is meaningful.
struct Address {
  Family family{Family::v4};
  std::uint32_t v4{};  ///< host byte order
  V6 v6{};

  static constexpr Address from_v4(std::uint32_t a) { return Address{Family::v4, a, {}}; }
  static constexpr Address from_v6(V6 a) { return Address{Family::v6, 0, a}; }
  constexpr bool is_v4() const { return family == Family::v4; }
  friend auto operator<=>(const Address&, const Address&) = default;
};

/// An address with a prefix length; the host bits are always zero.
struct Prefix {
  Address addr;
  std::uint8_t len{};
  friend auto operator<=>(const Prefix&, const Prefix&) = default;
};

/// Bit width of a family: 32 or 128.
constexpr unsigned family_bits(Family f) { return f == Family::v4 ? 32U : 128U; }

/// Parses a dotted-quad IPv4 or an RFC 4291 IPv6 address (with an optional
/// embedded IPv4 tail). No brackets, ports or zones: callers strip those.
std::optional<Address> parse_address(std::string_view text) noexcept;

/// Reads a strict dotted quad at the start of [p, end) into `out`; returns
/// where it ends, or nullptr. parse_address takes an IPv4 text exactly when
/// this reads all of it; line parsers use it to find an address and its
/// line's end in one pass.
const char* scan_v4(const char* p, const char* end, std::uint32_t& out) noexcept;

/// Parses "address/len" (host bits must be zero unless `allow_host_bits`, in
/// which case they are cleared).
std::optional<Prefix> parse_prefix(std::string_view text, bool allow_host_bits = false) noexcept;

/// For an IPv4-mapped IPv6 address (::ffff:a.b.c.d) the IPv4 address it
/// carries; any other address unchanged.
Address unmap_v4(const Address& a) noexcept;

/// `a` with every bit past `len` cleared.
Address mask(const Address& a, unsigned len) noexcept;

/// True when `p` contains `a` (same family, same leading `p.len` bits).
bool contains(const Prefix& p, const Address& a) noexcept;

std::string to_string(const Address& a);
std::string to_string(const Prefix& p);

/// Appends the text form to `out` without a temporary (hot report paths).
void append_to(std::string& out, const Address& a);
void append_to(std::string& out, const Prefix& p);

}  // namespace asncounter
