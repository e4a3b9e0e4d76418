#include "ctl/blocklist.hpp"

#include <algorithm>
#include <bit>
#include <string>
#include <tuple>

namespace asncounter::ctl {
namespace {

__extension__ using u128 = unsigned __int128;

// Addresses as integers of their family's width (IPv4 in the low 32 bits).
u128 to_int(const Address& a) {
  if (a.is_v4()) return a.v4;
  return (static_cast<u128>(a.v6.hi) << 64) | a.v6.lo;
}

Address from_int(Family f, u128 v) {
  if (f == Family::v4) return Address::from_v4(static_cast<std::uint32_t>(v));
  return Address::from_v6(V6{static_cast<std::uint64_t>(v >> 64), static_cast<std::uint64_t>(v)});
}

u128 ones(unsigned bits) { return bits >= 128 ? ~u128{0} : (u128{1} << bits) - 1; }

struct Range {
  Family family;
  u128 first;
  u128 last;
};

unsigned trailing_zeros(u128 v, unsigned bits) {
  if (v == 0) return bits;
  auto lo = static_cast<std::uint64_t>(v);
  if (lo != 0) return static_cast<unsigned>(std::countr_zero(lo));
  return 64U + static_cast<unsigned>(std::countr_zero(static_cast<std::uint64_t>(v >> 64)));
}

// The largest aligned blocks that tile [first, last], as prefixes.
void split_range(const Range& r, std::vector<Prefix>& out) {
  const unsigned bits = family_bits(r.family);
  u128 start = r.first;
  for (;;) {
    unsigned host = trailing_zeros(start, bits);
    // Shrink the block until it ends inside the range.
    while (host > 0 && start + ones(host) > r.last) --host;
    out.push_back(Prefix{from_int(r.family, start), static_cast<std::uint8_t>(bits - host)});
    u128 end = start + ones(host);
    if (end >= r.last) return;
    start = end + 1;
  }
}

}  // namespace

std::optional<BlockFormat> parse_block_format(std::string_view name) {
  if (name == "nft") return BlockFormat::nft;
  if (name == "iptables") return BlockFormat::iptables;
  if (name == "ipset") return BlockFormat::ipset;
  if (name == "nginx") return BlockFormat::nginx;
  if (name == "nginx-geo") return BlockFormat::nginx_geo;
  if (name == "cidr") return BlockFormat::cidr;
  return std::nullopt;
}

std::vector<Prefix> merge_prefixes(std::vector<Prefix> prefixes) {
  std::vector<Range> ranges;
  for (const auto& p : prefixes) {
    unsigned host = family_bits(p.addr.family) - p.len;
    u128 first = to_int(p.addr);
    ranges.push_back(Range{p.addr.family, first, first + ones(host)});
  }
  std::sort(ranges.begin(), ranges.end(), [](const Range& a, const Range& b) {
    return std::tie(a.family, a.first) < std::tie(b.family, b.first);
  });
  std::vector<Range> merged;
  for (const auto& r : ranges) {
    // Overlapping or adjacent (next starts right after): one range. The
    // `last + 1` cannot wrap unless the range ends the address space.
    if (!merged.empty() && merged.back().family == r.family &&
        (merged.back().last == ones(family_bits(r.family)) || r.first <= merged.back().last + 1)) {
      merged.back().last = std::max(merged.back().last, r.last);
    } else {
      merged.push_back(r);
    }
  }
  std::vector<Prefix> out;
  for (const auto& r : merged) split_range(r, out);
  return out;
}

}  // namespace asncounter::ctl

namespace asncounter::ctl {
namespace {

struct Split {
  std::vector<std::string> v4;
  std::vector<std::string> v6;
};

Split by_family(const std::vector<Prefix>& merged) {
  Split s;
  for (const auto& p : merged) (p.addr.is_v4() ? s.v4 : s.v6).push_back(to_string(p));
  return s;
}

void nft_set(std::string& out, const char* name, const char* type, const std::vector<std::string>& items) {
  out += "  set " + std::string(name) + " {\n    type " + type + "\n    flags interval\n";
  // nft rejects "elements = { }": an empty set has no elements line.
  if (!items.empty()) {
    out += "    elements = {";
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ",\n      " : "\n      ") + items[i];
    out += "\n    }\n";
  }
  out += "  }\n";
}

// Loads with `nft -f FILE`; re-running it replaces the previous list
// (declaring the table first makes the delete safe when it does not exist).
std::string nft(const Split& s) {
  std::string out = "#!/usr/sbin/nft -f\n# asncounterctl block-list\ntable inet asncounter_block\n";
  out += "delete table inet asncounter_block\ntable inet asncounter_block {\n";
  nft_set(out, "blocked_v4", "ipv4_addr", s.v4);
  nft_set(out, "blocked_v6", "ipv6_addr", s.v6);
  out += "  chain input {\n    type filter hook input priority filter - 10; policy accept;\n";
  out += "    ip saddr @blocked_v4 drop\n    ip6 saddr @blocked_v6 drop\n  }\n}\n";
  return out;
}

// A shell script: a dedicated chain, flushed and refilled, jumped to from INPUT once.
std::string iptables(const Split& s) {
  std::string out = "#!/bin/sh\n# asncounterctl block-list\n";
  for (const char* tool : {"iptables", "ip6tables"}) {
    const auto& items = std::string_view(tool) == "iptables" ? s.v4 : s.v6;
    std::string t = tool;
    out += t + " -N asncounter-block 2>/dev/null || " + t + " -F asncounter-block\n";
    out += t + " -C INPUT -j asncounter-block 2>/dev/null || " + t + " -I INPUT -j asncounter-block\n";
    for (const auto& p : items) out += t + " -A asncounter-block -s " + p + " -j DROP\n";
  }
  return out;
}

// Loads with `ipset restore -exist < FILE`.
std::string ipset(const Split& s) {
  std::string out = "# asncounterctl block-list: ipset restore -exist < FILE\n";
  auto set = [&](const char* name, const char* family, const std::vector<std::string>& items) {
    std::size_t maxelem = std::max<std::size_t>(65536, items.size());
    out += "create " + std::string(name) + " hash:net family " + family + " maxelem " +
           std::to_string(maxelem) + "\n";
    out += "flush " + std::string(name) + "\n";
    for (const auto& p : items) out += "add " + std::string(name) + " " + p + "\n";
  };
  set("asncounter-block-v4", "inet", s.v4);
  set("asncounter-block-v6", "inet6", s.v6);
  return out;
}

}  // namespace

std::string format_blocklist(const std::vector<Prefix>& merged, BlockFormat format) {
  Split s = by_family(merged);
  std::string out;
  switch (format) {
    case BlockFormat::nft:
      return nft(s);
    case BlockFormat::iptables:
      return iptables(s);
    case BlockFormat::ipset:
      return ipset(s);
    case BlockFormat::nginx:
      out = "# asncounterctl block-list: include in an http, server or location block\n";
      for (const auto& p : merged) out += "deny " + to_string(p) + ";\n";
      return out;
    case BlockFormat::nginx_geo:
      out =
          "# asncounterctl block-list: include at http level; then: if ($asncounter_blocked) { return 403; "
          "}\n";
      out += "geo $asncounter_blocked {\n    default 0;\n";
      for (const auto& p : merged) out += "    " + to_string(p) + " 1;\n";
      return out + "}\n";
    case BlockFormat::cidr:
      for (const auto& p : merged) out += to_string(p) + "\n";
      return out;
  }
  return out;
}

}  // namespace asncounter::ctl
