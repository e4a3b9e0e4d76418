#include "common/ip.hpp"

#include <array>

#include "common/parse_number.hpp"

namespace asncounter {

// Strict dotted quad: four decimal octets, no leading zeros (they mean octal
// to some tools, so an address that has them is ambiguous and refused).
// Unrolled per octet: this is the hottest function of the one-shot path.
const char* scan_v4(const char* p, const char* end, std::uint32_t& out) noexcept {
  auto digit = [&](const char* q) { return q < end ? static_cast<unsigned>(*q) - '0' : 10U; };
  std::uint32_t value = 0;
  for (int octet = 0; octet < 4; ++octet) {
    if (octet > 0) {
      if (p == end || *p != '.') return nullptr;
      ++p;
    }
    unsigned n = digit(p);
    if (n > 9) return nullptr;
    ++p;
    if (unsigned d = digit(p); d <= 9) {
      if (n == 0) return nullptr;  // leading zero
      n = n * 10 + d;
      ++p;
      if (unsigned d2 = digit(p); d2 <= 9) {
        n = n * 10 + d2;
        ++p;
        if (n > 255) return nullptr;
      }
    }
    value = (value << 8) | n;
  }
  out = value;
  return p;
}

namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::uint32_t> parse_v4(std::string_view s) noexcept {
  std::uint32_t value = 0;
  const char* end = s.data() + s.size();
  const char* stop = scan_v4(s.data(), end, value);
  if (!stop || stop != end) return std::nullopt;  // an empty view may have null data
  return value;
}

std::optional<V6> parse_v6(std::string_view s) noexcept {
  std::array<std::uint16_t, 8> groups{};
  int count = 0;  // groups written
  int gap = -1;   // index in groups where "::" stands
  std::size_t i = 0;
  if (s.size() < 2) return std::nullopt;
  if (s[0] == ':') {
    if (s[1] != ':') return std::nullopt;
    gap = 0;
    i = 2;
    if (i == s.size()) return V6{};
  }
  while (i < s.size()) {
    if (count == 8) return std::nullopt;
    std::size_t start = i;
    unsigned value = 0;
    while (i < s.size() && i - start < 4 && hex_value(s[i]) >= 0) {
      value = (value << 4) | static_cast<unsigned>(hex_value(s[i]));
      ++i;
    }
    if (i < s.size() && s[i] == '.') {
      // An embedded IPv4 tail takes the last two groups.
      if (count > 6) return std::nullopt;
      auto v4 = parse_v4(s.substr(start));
      if (!v4) return std::nullopt;
      groups[static_cast<std::size_t>(count++)] = static_cast<std::uint16_t>(*v4 >> 16);
      groups[static_cast<std::size_t>(count++)] = static_cast<std::uint16_t>(*v4 & 0xffff);
      i = s.size();
      break;
    }
    if (i == start) return std::nullopt;
    groups[static_cast<std::size_t>(count++)] = static_cast<std::uint16_t>(value);
    if (i == s.size()) break;
    if (s[i] != ':') return std::nullopt;
    ++i;
    if (i < s.size() && s[i] == ':') {
      if (gap >= 0) return std::nullopt;
      gap = count;
      ++i;
      if (i == s.size()) break;
    } else if (i == s.size()) {
      return std::nullopt;  // a trailing single ':'
    }
  }
  if (gap < 0 && count != 8) return std::nullopt;
  if (gap >= 0 && count > 7) return std::nullopt;
  std::array<std::uint16_t, 8> full{};
  if (gap < 0) {
    full = groups;
  } else {
    int tail = count - gap;
    for (int k = 0; k < gap; ++k) full[static_cast<std::size_t>(k)] = groups[static_cast<std::size_t>(k)];
    for (int k = 0; k < tail; ++k)
      full[static_cast<std::size_t>(8 - tail + k)] = groups[static_cast<std::size_t>(gap + k)];
  }
  V6 out;
  for (std::size_t k = 0; k < 4; ++k) out.hi = (out.hi << 16) | full[k];
  for (std::size_t k = 4; k < 8; ++k) out.lo = (out.lo << 16) | full[k];
  return out;
}

std::uint64_t high_mask(unsigned bits) noexcept {
  return bits == 0 ? 0 : (bits >= 64 ? ~std::uint64_t{0} : ~std::uint64_t{0} << (64 - bits));
}

}  // namespace

std::optional<Address> parse_address(std::string_view text) noexcept {
  // IPv4 first, without scanning for ':': most traffic is IPv4, and the v4
  // parser gives up on IPv6 text within its first few characters.
  if (auto v4 = parse_v4(text)) return Address::from_v4(*v4);
  if (auto v6 = parse_v6(text)) return Address::from_v6(*v6);
  return std::nullopt;
}

std::optional<Prefix> parse_prefix(std::string_view text, bool allow_host_bits) noexcept {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto addr = parse_address(text.substr(0, slash));
  if (!addr) return std::nullopt;
  std::string_view len_text = text.substr(slash + 1);
  if (len_text.size() > 3) return std::nullopt;
  auto parsed_len = parse_unsigned<unsigned>(len_text);
  if (!parsed_len || *parsed_len > family_bits(addr->family)) return std::nullopt;
  const unsigned len = *parsed_len;
  Address masked = mask(*addr, len);
  if (!allow_host_bits && masked != *addr) return std::nullopt;
  return Prefix{masked, static_cast<std::uint8_t>(len)};
}

Address unmap_v4(const Address& a) noexcept {
  if (a.family == Family::v6 && a.v6.hi == 0 && (a.v6.lo >> 32) == 0xffff)
    return Address::from_v4(static_cast<std::uint32_t>(a.v6.lo));
  return a;
}

Address mask(const Address& a, unsigned len) noexcept {
  if (a.family == Family::v4) {
    std::uint32_t m = len == 0 ? 0 : (len >= 32 ? ~0U : ~0U << (32 - len));
    return Address::from_v4(a.v4 & m);
  }
  V6 v{a.v6.hi & high_mask(len), a.v6.lo & high_mask(len > 64 ? len - 64 : 0)};
  return Address::from_v6(v);
}

bool contains(const Prefix& p, const Address& a) noexcept {
  return p.addr.family == a.family && mask(a, p.len) == p.addr;
}

void append_to(std::string& out, const Address& a) {
  if (a.family == Family::v4) {
    for (int shift = 24; shift >= 0; shift -= 8) {
      out += std::to_string((a.v4 >> shift) & 0xff);
      if (shift) out += '.';
    }
    return;
  }
  std::array<unsigned, 8> g{};
  for (std::size_t k = 0; k < 4; ++k) g[k] = static_cast<unsigned>((a.v6.hi >> (48 - 16 * k)) & 0xffff);
  for (std::size_t k = 0; k < 4; ++k) g[4 + k] = static_cast<unsigned>((a.v6.lo >> (48 - 16 * k)) & 0xffff);
  // RFC 5952: the first longest run of two or more zero groups becomes "::".
  std::size_t best = 8, best_len = 0;
  for (std::size_t k = 0; k < 8;) {
    if (g[k] != 0) {
      ++k;
      continue;
    }
    std::size_t run = k;
    while (run < 8 && g[run] == 0) ++run;
    if (run - k > best_len) {
      best = k;
      best_len = run - k;
    }
    k = run;
  }
  if (best_len < 2) best = 8;
  static constexpr char digits[] = "0123456789abcdef";
  for (std::size_t k = 0; k < 8; ++k) {
    if (k == best) {
      out += "::";
      k += best_len - 1;
      continue;
    }
    if (k > 0 && k != best + best_len) out += ':';
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      unsigned d = (g[k] >> shift) & 0xf;
      if (d || started || shift == 0) {
        out += digits[d];
        started = true;
      }
    }
  }
}

void append_to(std::string& out, const Prefix& p) {
  append_to(out, p.addr);
  out += '/';
  out += std::to_string(p.len);
}

std::string to_string(const Address& a) {
  std::string s;
  append_to(s, a);
  return s;
}

std::string to_string(const Prefix& p) {
  std::string s;
  append_to(s, p);
  return s;
}

}  // namespace asncounter
