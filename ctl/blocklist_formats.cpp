// The block-list output formats: one writer and one row each (kBlockFormats).
// Every output starts with a header comment in its format's syntax (all of
// them take `#` lines) saying when it was made, from which criteria, which
// ASNs it covers and how to load it.
#include <algorithm>
#include <array>
#include <string>

#include "ctl/blocklist.hpp"

namespace asncounter::ctl {
namespace {

// ipset's maxelem is a cap, not an allocation. A fixed value lets a re-run
// create the live set "again" under -exist (same parameters) whatever the
// size of the new list; only a list longer than this changes it.
constexpr std::size_t kIpsetMaxElem = 4194304;

struct Split {
  std::vector<std::string> v4;
  std::vector<std::string> v6;
};

Split by_family(const std::vector<Prefix>& merged) {
  Split s;
  for (const auto& p : merged) (p.addr.is_v4() ? s.v4 : s.v6).push_back(to_string(p));
  return s;
}

// "# ..." lines: what, when, criteria, ASNs (wrapped), and how to load it.
std::string header(const std::vector<Prefix>& merged, const BlockHeader& h, std::string_view load) {
  Split s = by_family(merged);
  std::string out = "# asncounterctl block-list";
  if (!h.made_at.empty()) out += ", made " + h.made_at;
  out += "\n";
  if (!h.criteria.empty()) out += "# criteria: " + h.criteria + "\n";
  out += "# " + std::to_string(merged.size()) + " prefixes (" + std::to_string(s.v4.size()) + " IPv4, " +
         std::to_string(s.v6.size()) + " IPv6) from " + std::to_string(h.asns.size()) + " ASNs";
  for (std::size_t i = 0; i < h.asns.size(); ++i) {
    out += i == 0 ? ": " : (i % 16 == 0 ? "\n#   " : " ");
    out += std::to_string(h.asns[i]);
  }
  out += "\n# load: " + std::string(load) + "\n";
  return out;
}

// A timed set ("flags interval, timeout") gives each element its own
// timeout, so the kernel lifts the block on its own even when nobody is left
// to undo it.
void nft_set(std::string& out, const char* name, const char* type, const std::vector<std::string>& items,
             std::uint64_t timeout) {
  const std::string element_timeout = timeout ? " timeout " + std::to_string(timeout) + "s" : "";
  out += "  set " + std::string(name) + " {\n    type " + type + "\n    flags interval" +
         (timeout ? ", timeout" : "") + "\n";
  // nft rejects "elements = { }": an empty set has no elements line.
  if (!items.empty()) {
    out += "    elements = {";
    for (std::size_t i = 0; i < items.size(); ++i)
      out += (i ? ",\n      " : "\n      ") + items[i] + element_timeout;
    out += "\n    }\n";
  }
  out += "  }\n";
}

// One base chain per hook, each dropping the sets' addresses with a counter
// (`nft list table inet asncounter_block` shows what was dropped).
void nft_chain(std::string& out, const char* hook) {
  out += "  chain " + std::string(hook) + " {\n    type filter hook " + hook +
         " priority filter - 10; policy accept;\n";
  out += "    ip saddr @blocked_v4 counter drop\n    ip6 saddr @blocked_v6 counter drop\n  }\n";
}

constexpr std::string_view kNftLoad = "nft -f FILE (re-running it replaces the previous list)";

// Declaring the table first makes the delete safe when it does not exist;
// the whole file is one nft transaction.
std::string nft(const std::vector<Prefix>& merged, const BlockHeader& h, const BlockRules& rules) {
  Split s = by_family(merged);
  std::string out = "#!/usr/sbin/nft -f\n" + header(merged, h, kNftLoad);
  out += "table inet asncounter_block\ndelete table inet asncounter_block\ntable inet asncounter_block {\n";
  nft_set(out, "blocked_v4", "ipv4_addr", s.v4, rules.timeout);
  nft_set(out, "blocked_v6", "ipv6_addr", s.v6, rules.timeout);
  if (rules.input) nft_chain(out, "input");
  if (rules.forward) nft_chain(out, "forward");
  out += "}\n";
  return out;
}

constexpr std::string_view kIptablesLoad = "sh FILE (one iptables process per rule: small lists only)";

// A shell script: a dedicated chain, flushed and refilled, jumped to from INPUT once.
std::string iptables(const std::vector<Prefix>& merged, const BlockHeader& h, const BlockRules&) {
  Split s = by_family(merged);
  std::string out = "#!/bin/sh\n" + header(merged, h, kIptablesLoad);
  for (const char* tool : {"iptables", "ip6tables"}) {
    const auto& items = std::string_view(tool) == "iptables" ? s.v4 : s.v6;
    std::string t = tool;
    out += t + " -N asncounter-block 2>/dev/null || " + t + " -F asncounter-block\n";
    out += t + " -C INPUT -j asncounter-block 2>/dev/null || " + t + " -I INPUT -j asncounter-block\n";
    for (const auto& p : items) out += t + " -A asncounter-block -s " + p + " -j DROP\n";
  }
  return out;
}

// One restore file per family: declaring the chain creates it or, with
// --noflush, empties it, and COMMIT swaps the whole table in one go. A
// restore file cannot test for the INPUT jump, so that is a one-time step.
std::string restore(const std::vector<std::string>& items, const BlockHeader& h,
                    const std::vector<Prefix>& merged, std::string_view load) {
  std::string out = header(merged, h, load);
  out += "*filter\n:asncounter-block - [0:0]\n";
  for (const auto& p : items) out += "-A asncounter-block -s " + p + " -j DROP\n";
  return out + "COMMIT\n";
}

constexpr std::string_view kIptablesRestoreLoad =
    "iptables-restore --noflush < FILE; once: iptables -I INPUT -j asncounter-block";
constexpr std::string_view kIp6tablesRestoreLoad =
    "ip6tables-restore --noflush < FILE; once: ip6tables -I INPUT -j asncounter-block";

std::string iptables_restore(const std::vector<Prefix>& merged, const BlockHeader& h, const BlockRules&) {
  return restore(by_family(merged).v4, h, merged, kIptablesRestoreLoad);
}

std::string ip6tables_restore(const std::vector<Prefix>& merged, const BlockHeader& h, const BlockRules&) {
  return restore(by_family(merged).v6, h, merged, kIp6tablesRestoreLoad);
}

constexpr std::string_view kIpsetLoad = "ipset restore -exist < FILE (re-running it replaces the sets)";

// The new list is built in a temporary set and swapped with the live one,
// so that rules using the live set see the old list or the new one, never
// a half-filled set, and a re-run of any size replaces the list.
std::string ipset(const std::vector<Prefix>& merged, const BlockHeader& h, const BlockRules&) {
  Split s = by_family(merged);
  std::string out = header(merged, h, kIpsetLoad);
  auto set = [&](const std::string& name, const char* family, const std::vector<std::string>& items) {
    const std::string params = " hash:net family " + std::string(family) + " maxelem " +
                               std::to_string(std::max(kIpsetMaxElem, items.size())) + "\n";
    const std::string tmp = name + "-new";
    out += "create " + name + params;
    out += "create " + tmp + params;
    out += "flush " + tmp + "\n";  // left over from an interrupted run
    for (const auto& p : items) out += "add " + tmp + " " + p + "\n";
    out += "swap " + tmp + " " + name + "\n";
    out += "destroy " + tmp + "\n";
  };
  set("asncounter-block-v4", "inet", s.v4);
  set("asncounter-block-v6", "inet6", s.v6);
  return out;
}

constexpr std::string_view kNginxLoad = "include in an http, server or location block";

std::string nginx(const std::vector<Prefix>& merged, const BlockHeader& h, const BlockRules&) {
  std::string out = header(merged, h, kNginxLoad);
  for (const auto& p : merged) out += "deny " + to_string(p) + ";\n";
  return out;
}

constexpr std::string_view kNginxGeoLoad =
    "include at http level; then: if ($asncounter_blocked) { return 403; }";

std::string nginx_geo(const std::vector<Prefix>& merged, const BlockHeader& h, const BlockRules&) {
  std::string out = header(merged, h, kNginxGeoLoad);
  out += "geo $asncounter_blocked {\n    default 0;\n";
  for (const auto& p : merged) out += "    " + to_string(p) + " 1;\n";
  return out + "}\n";
}

constexpr std::string_view kCidrLoad = "one prefix per line; skip lines starting with #";

std::string cidr(const std::vector<Prefix>& merged, const BlockHeader& h, const BlockRules&) {
  std::string out = header(merged, h, kCidrLoad);
  for (const auto& p : merged) out += to_string(p) + "\n";
  return out;
}

// In help order; one row per BlockFormat (the static_assert below).
constexpr std::array kBlockFormats{
    BlockFormatRow{BlockFormat::nft, "nft", nft, kNftLoad, true},
    BlockFormatRow{BlockFormat::iptables, "iptables", iptables, kIptablesLoad, false},
    BlockFormatRow{BlockFormat::iptables_restore, "iptables-restore", iptables_restore, kIptablesRestoreLoad,
                   false},
    BlockFormatRow{BlockFormat::ip6tables_restore, "ip6tables-restore", ip6tables_restore,
                   kIp6tablesRestoreLoad, false},
    BlockFormatRow{BlockFormat::ipset, "ipset", ipset, kIpsetLoad, false},
    BlockFormatRow{BlockFormat::nginx, "nginx", nginx, kNginxLoad, false},
    BlockFormatRow{BlockFormat::nginx_geo, "nginx-geo", nginx_geo, kNginxGeoLoad, false},
    BlockFormatRow{BlockFormat::cidr, "cidr", cidr, kCidrLoad, false},
};
static_assert(kBlockFormats.size() == static_cast<std::size_t>(BlockFormat::count_),
              "every BlockFormat needs its row in kBlockFormats");

}  // namespace

std::span<const BlockFormatRow> block_formats() { return kBlockFormats; }

std::string block_format_names() {
  std::string out;
  for (const auto& row : block_formats()) out += (out.empty() ? "" : "|") + std::string(row.name);
  return out;
}

std::optional<BlockFormat> parse_block_format(std::string_view name) {
  for (const auto& row : block_formats())
    if (row.name == name) return row.id;
  return std::nullopt;
}

const BlockFormatRow& block_format(BlockFormat format) {
  for (const auto& row : block_formats())
    if (row.id == format) return row;
  return block_formats().back();  // unreachable: every format has a row
}

std::string format_blocklist(const std::vector<Prefix>& merged, BlockFormat format, const BlockHeader& header,
                             const BlockRules& rules) {
  return block_format(format).write(merged, header, rules);
}

}  // namespace asncounter::ctl
