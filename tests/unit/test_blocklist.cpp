#include <catch2/catch.hpp>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "common/ip.hpp"
#include "ctl/blocklist.hpp"
#include "ctl/blocklist_select.hpp"
#include "ctl/commands.hpp"

using asncounter::Prefix;
using asncounter::ctl::BlockFormat;
using asncounter::ctl::format_blocklist;
using asncounter::ctl::merge_prefixes;

namespace {

std::vector<Prefix> prefixes(std::initializer_list<const char*> texts) {
  std::vector<Prefix> out;
  for (const char* t : texts) out.push_back(*asncounter::parse_prefix(t));
  return out;
}

std::vector<std::string> texts(const std::vector<Prefix>& ps) {
  std::vector<std::string> out;
  for (const auto& p : ps) out.push_back(asncounter::to_string(p));
  return out;
}

using S = std::vector<std::string>;

}  // namespace

TEST_CASE("Adjacent siblings merge into their parent, repeatedly", "[blocklist]") {
  CHECK(texts(merge_prefixes(prefixes({"192.0.2.0/25", "192.0.2.128/25"}))) == S{"192.0.2.0/24"});
  CHECK(texts(merge_prefixes(prefixes({"10.0.3.0/24", "10.0.0.0/24", "10.0.2.0/24", "10.0.1.0/24"}))) ==
        S{"10.0.0.0/22"});
  CHECK(texts(merge_prefixes(prefixes({"2001:db8::/33", "2001:db8:8000::/33"}))) == S{"2001:db8::/32"});
}

TEST_CASE("Contained and duplicate prefixes disappear into the covering one", "[blocklist]") {
  CHECK(texts(merge_prefixes(prefixes({"198.51.100.0/24", "198.51.100.64/26", "198.51.100.0/24"}))) ==
        S{"198.51.100.0/24"});
  CHECK(texts(merge_prefixes(prefixes({"2001:db8:1::/48", "2001:db8::/32"}))) == S{"2001:db8::/32"});
}

TEST_CASE("Adjacent but unaligned blocks stay the minimal exact set", "[blocklist]") {
  // 10.0.1.0/24 + 10.0.2.0/24 are adjacent but not one CIDR block.
  CHECK(texts(merge_prefixes(prefixes({"10.0.2.0/24", "10.0.1.0/24"}))) == S{"10.0.1.0/24", "10.0.2.0/24"});
  // /24 + the next /25: one range, two blocks.
  CHECK(texts(merge_prefixes(prefixes({"10.0.0.0/24", "10.0.1.0/25"}))) == S{"10.0.0.0/24", "10.0.1.0/25"});
  // Non-adjacent stay apart; v4 sorts before v6.
  CHECK(texts(merge_prefixes(prefixes({"2001:db8::/32", "203.0.113.0/24", "192.0.2.0/24"}))) ==
        S{"192.0.2.0/24", "203.0.113.0/24", "2001:db8::/32"});
  CHECK(merge_prefixes({}).empty());
}

TEST_CASE("Edges of the address space do not wrap", "[blocklist]") {
  CHECK(texts(merge_prefixes(prefixes({"255.255.255.255/32", "255.255.255.254/32"}))) ==
        S{"255.255.255.254/31"});
  CHECK(texts(merge_prefixes(prefixes({"0.0.0.0/1", "128.0.0.0/1"}))) == S{"0.0.0.0/0"});
  CHECK(texts(merge_prefixes(prefixes({"::/1", "8000::/1"}))) == S{"::/0"});
  CHECK(texts(merge_prefixes(prefixes({"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", "::/128"}))) ==
        S{"::/128", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"});
}

TEST_CASE("Merging is exact: random sets cover the same addresses as before", "[blocklist]") {
  std::mt19937 rng(12345);
  for (int round = 0; round < 50; ++round) {
    std::vector<Prefix> in;
    for (int i = 0; i < 30; ++i) {
      auto len = static_cast<std::uint8_t>(20 + rng() % 9);  // inside 10.0.0.0/16
      std::uint32_t addr = 0x0A000000U | (static_cast<std::uint32_t>(rng()) & 0xFFFFU);
      in.push_back(Prefix{asncounter::mask(asncounter::Address::from_v4(addr), len), len});
    }
    auto out = merge_prefixes(in);
    for (std::size_t i = 1; i < out.size(); ++i) CHECK(out[i - 1] < out[i]);
    for (std::uint32_t host = 0; host < 0x10000; host += 7) {
      auto a = asncounter::Address::from_v4(0x0A000000U | host);
      bool before = false;
      bool after = false;
      for (const auto& p : in) before = before || asncounter::contains(p, a);
      int covering = 0;
      for (const auto& p : out) covering += asncounter::contains(p, a) ? 1 : 0;
      after = covering > 0;
      CHECK(covering <= 1);  // no overlap left
      if (before != after) FAIL("address 10.0.x.x differs at host " << host);
    }
    // Minimal: no two outputs are siblings that would merge.
    for (std::size_t i = 1; i < out.size(); ++i) {
      const auto& a = out[i - 1];
      const auto& b = out[i];
      if (a.len == b.len && a.len > 0) {
        auto parent = asncounter::mask(a.addr, a.len - 1U);
        CHECK_FALSE(parent == asncounter::mask(b.addr, b.len - 1U));
      }
    }
  }
}

TEST_CASE("Each block-list format writes its documented syntax", "[blocklist]") {
  auto merged = merge_prefixes(prefixes({"192.0.2.0/24", "2001:db8::/32"}));
  CHECK(format_blocklist(merged, BlockFormat::cidr).ends_with("\n192.0.2.0/24\n2001:db8::/32\n"));
  auto nginx = format_blocklist(merged, BlockFormat::nginx);
  CHECK(nginx.find("deny 192.0.2.0/24;\ndeny 2001:db8::/32;\n") != std::string::npos);
  auto geo = format_blocklist(merged, BlockFormat::nginx_geo);
  CHECK(
      geo.find("geo $asncounter_blocked {\n    default 0;\n    192.0.2.0/24 1;\n    2001:db8::/32 1;\n}\n") !=
      std::string::npos);
  auto ipset = format_blocklist(merged, BlockFormat::ipset);
  // Built in a temporary set and swapped in: a re-run of any size replaces the list.
  CHECK(ipset.find("create asncounter-block-v4 hash:net family inet maxelem 4194304\n"
                   "create asncounter-block-v4-new hash:net family inet maxelem 4194304\n"
                   "flush asncounter-block-v4-new\nadd asncounter-block-v4-new 192.0.2.0/24\n"
                   "swap asncounter-block-v4-new asncounter-block-v4\ndestroy asncounter-block-v4-new\n") !=
        std::string::npos);
  CHECK(ipset.find("add asncounter-block-v6-new 2001:db8::/32\n") != std::string::npos);
  auto v4 = format_blocklist(merged, BlockFormat::iptables_restore);
  CHECK(
      v4.find("*filter\n:asncounter-block - [0:0]\n-A asncounter-block -s 192.0.2.0/24 -j DROP\nCOMMIT\n") !=
      std::string::npos);
  auto v6 = format_blocklist(merged, BlockFormat::ip6tables_restore);
  CHECK(
      v6.find("*filter\n:asncounter-block - [0:0]\n-A asncounter-block -s 2001:db8::/32 -j DROP\nCOMMIT\n") !=
      std::string::npos);
  auto ipt = format_blocklist(merged, BlockFormat::iptables);
  CHECK(ipt.find("iptables -A asncounter-block -s 192.0.2.0/24 -j DROP\n") != std::string::npos);
  CHECK(ipt.find("ip6tables -A asncounter-block -s 2001:db8::/32 -j DROP\n") != std::string::npos);
  CHECK(ipt.find("iptables -A asncounter-block -s 2001") == std::string::npos);
  auto nft = format_blocklist(merged, BlockFormat::nft);
  CHECK(nft.find("type ipv4_addr\n    flags interval\n    elements = {\n      192.0.2.0/24\n    }") !=
        std::string::npos);
  CHECK(nft.find("ip6 saddr @blocked_v6 counter drop") != std::string::npos);
  // An empty set must not carry "elements = { }", which nft rejects.
  auto v4only = format_blocklist(merge_prefixes(prefixes({"192.0.2.0/24"})), BlockFormat::nft);
  CHECK(v4only.find("elements = {\n    }") == std::string::npos);
  CHECK(v4only.find("set blocked_v6 {\n    type ipv6_addr\n    flags interval\n  }") != std::string::npos);
  CHECK(asncounter::ctl::parse_block_format("nginx-geo") == BlockFormat::nginx_geo);
  CHECK(asncounter::ctl::parse_block_format("ip6tables-restore") == BlockFormat::ip6tables_restore);
  CHECK_FALSE(asncounter::ctl::parse_block_format("pf"));
}

TEST_CASE("Every block-list format starts with a header comment: date, criteria, ASNs, loading",
          "[blocklist]") {
  auto merged = merge_prefixes(prefixes({"192.0.2.0/24", "2001:db8::/32"}));
  asncounter::ctl::BlockHeader h{"2026-11-30T12:00:00Z", "--by prefix --limit 2", {64496, 64499}};
  for (const auto& row : asncounter::ctl::block_formats()) {
    INFO(row.name);
    auto text = format_blocklist(merged, row.id, h);
    // nft and the shell script keep their #! line first.
    auto at = text.find(
        "# asncounterctl block-list, made 2026-11-30T12:00:00Z\n# criteria: --by prefix --limit 2\n"
        "# 2 prefixes (1 IPv4, 1 IPv6) from 2 ASNs: 64496 64499\n# load: ");
    CHECK((at == 0 || (text.starts_with("#!") && at == text.find('\n') + 1)));
    CHECK(text.find(std::string(row.load)) != std::string::npos);
  }
  CHECK(asncounter::ctl::block_format_names() ==
        "nft|iptables|iptables-restore|ip6tables-restore|ipset|nginx|nginx-geo|cidr");
  // asncounterctl's usage names every format too.
  std::set<std::string> words;
  std::string word;
  for (char c : asncounter::ctl::usage() + " ") {
    if (c == ' ' || c == '\n' || c == '|') {
      words.insert(word);
      word.clear();
    } else {
      word += c;
    }
  }
  for (const auto& row : asncounter::ctl::block_formats()) CHECK(words.count(std::string(row.name)) == 1);
}

TEST_CASE("Subtracting prefixes leaves exactly the addresses not excluded", "[blocklist]") {
  using asncounter::ctl::subtract_prefixes;
  CHECK(texts(subtract_prefixes(prefixes({"192.0.2.0/24"}), prefixes({"192.0.2.128/25"}))) ==
        S{"192.0.2.0/25"});
  CHECK(texts(subtract_prefixes(prefixes({"192.0.2.0/24"}), prefixes({"192.0.2.1/32"}))) ==
        S{"192.0.2.0/32", "192.0.2.2/31", "192.0.2.4/30", "192.0.2.8/29", "192.0.2.16/28", "192.0.2.32/27",
          "192.0.2.64/26", "192.0.2.128/25"});
  CHECK(subtract_prefixes(prefixes({"192.0.2.0/25"}), prefixes({"192.0.0.0/16"})).empty());
  // Other families and disjoint holes change nothing; several holes cut one range.
  CHECK(texts(subtract_prefixes(prefixes({"192.0.2.0/24", "2001:db8::/32"}),
                                prefixes({"2001:db8::/33", "10.0.0.0/8"}))) ==
        S{"192.0.2.0/24", "2001:db8:8000::/33"});
  CHECK(texts(subtract_prefixes(prefixes({"10.0.0.0/8"}), prefixes({"10.0.0.0/9", "10.192.0.0/10"}))) ==
        S{"10.128.0.0/10"});
  CHECK(texts(subtract_prefixes(prefixes({"0.0.0.0/0"}), prefixes({"255.255.255.255/32"}))).back() ==
        "255.255.255.254/32");
}

TEST_CASE("Exclusion files hold prefixes, addresses and ASNs, with comments", "[blocklist]") {
  auto ex = asncounter::ctl::parse_exclusions(
      "# own networks\n192.0.2.0/24\n  AS64496 # partner\n\n64497\n"
      "2001:db8::1\nas64498\n198.51.100.7/24\n");
  REQUIRE(ex);
  CHECK(ex->asns == std::vector<std::uint32_t>{64496, 64497, 64498});
  CHECK(texts(ex->prefixes) == S{"192.0.2.0/24", "2001:db8::1/128", "198.51.100.0/24"});
  auto bad = asncounter::ctl::parse_exclusions("192.0.2.0/24\ncrawler.example\n");
  REQUIRE_FALSE(bad);
  CHECK(bad.error() == "line 2: not a prefix, address or ASN: crawler.example");
  CHECK_FALSE(asncounter::ctl::parse_exclusions("AS99999999999\n"));
}
