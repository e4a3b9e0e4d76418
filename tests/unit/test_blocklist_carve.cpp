// block-list made exact: the ASNs of --asn, rankings whose prefixes lose the
// more-specifics other ASNs announce inside them, nft rules with counters,
// hooks and timeouts, and the summary line. The daemon is a fake answering
// from a real table (carved the way asncounterd carves it).
#include <catch2/catch.hpp>

#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "common/table/carve.hpp"
#include "ctl/blocklist.hpp"
#include "ctl/blocklist_select.hpp"
#include "ctl/commands.hpp"
#include "tests/support/addresses.hpp"

using namespace asncounter;
using namespace asncounter::ctl;
using asncounter::test::pfx;
using nlohmann::json;

namespace {

// A /15 of 64496 holding a /17 of 64497 (the 37.222.0.0/15 case), and
// 64496's IPv6 /32 holding a /48 of 64498.
std::shared_ptr<const LpmTable> carve_table() {
  return LpmTable::build({{pfx("198.18.0.0/15"), 64496},
                          {pfx("198.19.128.0/17"), 64497},
                          {pfx("203.0.113.0/24"), 64499},
                          {pfx("2001:db8::/32"), 64496},
                          {pfx("2001:db8:1::/48"), 64498}},
                         {});
}

// Hits per counted prefix, as the daemon's store would hold them.
struct FakeDaemon {
  std::shared_ptr<const LpmTable> table = carve_table();
  std::map<std::string, std::uint64_t> hits{
      {"198.18.0.0/15", 60}, {"198.19.128.0/17", 30}, {"203.0.113.0/24", 10}};
  std::vector<rpc::Params> as_prefixes_calls;

  std::uint64_t total() const {
    std::uint64_t t = 0;
    for (const auto& [p, n] : hits) t += n;
    return t;
  }
  std::uint32_t asn_of(const std::string& p) const { return table->lookup(pfx(p).addr)->asn; }

  int operator()(rpc::MethodId m, const rpc::Params& p, std::string& result) {
    json out;
    if (m == rpc::MethodId::as_prefixes) {
      as_prefixes_calls.push_back(p);
      auto asn = *p.number<std::uint32_t>(rpc::ParamId::asn);
      auto list = p.number(rpc::ParamId::carved).value_or(0) ? carved_asn_space(*table, asn)
                                                             : table->as_prefixes(asn);
      json prefixes = json::array();
      for (const auto& x : list) prefixes.push_back(to_string(x));
      out = {{"asn", asn}, {"prefixes", prefixes}};
    } else if (m == rpc::MethodId::asn) {
      auto asn = *p.number<std::uint32_t>(rpc::ParamId::asn);
      std::uint64_t n = 0;
      for (const auto& [prefix, count] : hits)
        if (asn_of(prefix) == asn) n += count;
      out = {{"asn", asn}, {"name", "AS-" + std::to_string(asn)}, {"count", n}, {"total", total()}};
    } else {
      // top (by ASN) or prefixes, by count, descending.
      std::map<std::uint32_t, std::uint64_t> by_asn;
      for (const auto& [prefix, count] : hits) by_asn[asn_of(prefix)] += count;
      std::vector<json> rows;
      if (m == rpc::MethodId::top) {
        for (const auto& [asn, count] : by_asn)
          rows.push_back({{"asn", asn}, {"name", nullptr}, {"count", count}});
      } else {
        for (const auto& [prefix, count] : hits)
          rows.push_back({{"asn", asn_of(prefix)}, {"name", nullptr}, {"prefix", prefix}, {"count", count}});
      }
      std::sort(rows.begin(), rows.end(),
                [](const json& a, const json& b) { return a["count"] > b["count"]; });
      out = {{"rows", rows}, {"total", total()}};
    }
    result = out.dump();
    return 0;
  }
};

// Options as the command line would give them: a format, the rest default.
BlockOptions cidr_options() {
  BlockOptions o;
  o.format = BlockFormat::cidr;
  return o;
}

struct Run {
  int rc;
  std::string out;
  std::string err;
};

Run block(FakeDaemon& d, const BlockOptions& o) {
  std::ostringstream out, err;
  int rc = run_block_list([&](rpc::MethodId m, const rpc::Params& p, std::string& r) { return d(m, p, r); },
                          o, out, err);
  return {rc, out.str(), err.str()};
}

std::string body(const std::string& text) {
  std::istringstream in(text);
  std::string out;
  for (std::string line; std::getline(in, line);)
    if (!line.starts_with("#")) out += line + "\n";
  return out;
}

}  // namespace

TEST_CASE("block-list --asn blocks the ASN's space without another AS's more-specific", "[blocklist]") {
  FakeDaemon d;
  auto r = block(d, [] {
    auto o = cidr_options();
    o.asns = {64496};
    return o;
  }());
  REQUIRE(r.rc == 0);
  CHECK(body(r.out) ==
        "198.18.0.0/16\n198.19.0.0/17\n2001:db8::/48\n2001:db8:2::/47\n2001:db8:4::/46\n2001:db8:8::/45\n"
        "2001:db8:10::/44\n2001:db8:20::/43\n2001:db8:40::/42\n2001:db8:80::/41\n2001:db8:100::/40\n"
        "2001:db8:200::/39\n2001:db8:400::/38\n2001:db8:800::/37\n2001:db8:1000::/36\n2001:db8:2000::/35\n"
        "2001:db8:4000::/34\n2001:db8:8000::/33\n");
  CHECK(r.out.find("# criteria: --asn 64496\n") != std::string::npos);
  // Asked carved, from the daemon that holds the table.
  REQUIRE(d.as_prefixes_calls.size() == 1);
  CHECK(d.as_prefixes_calls[0].number(rpc::ParamId::carved) == 1U);
  // Two ASNs, one family; the summary names them and their share.
  auto both = block(d, [] {
    auto o = cidr_options();
    o.asns = {64497, 64499};
    o.window = 180;
    o.family = Family::v4;
    return o;
  }());
  CHECK(body(both.out) == "198.19.128.0/17\n203.0.113.0/24\n");
  CHECK(both.err ==
        "asncounterctl: block-list: AS64497 (AS-64497) 30.00%, AS64499 (AS-64499) 10.00% of 100 hits in the "
        "last "
        "180s; 2 prefixes (2 IPv4, 0 IPv6)\n");
}

TEST_CASE("block-list --asn skips excluded ASNs and those under --min-count, and says so", "[blocklist]") {
  FakeDaemon d;
  auto r = block(d, [] {
    auto o = cidr_options();
    o.asns = {64497, 64499};
    o.min_count = 20;
    return o;
  }());
  CHECK(body(r.out) == "198.19.128.0/17\n");
  CHECK(r.err.find("AS64499 sent 10 hits, under --min-count 20: not blocked") != std::string::npos);
}

TEST_CASE("block-list rankings carve other ASNs' more-specifics out of what they block", "[blocklist]") {
  FakeDaemon d;
  // By prefix: the counted /15 loses the /17 of 64497, which ranks below the limit.
  auto r = block(d, [] {
    auto o = cidr_options();
    o.limit = 1;
    return o;
  }());
  CHECK(body(r.out) == "198.18.0.0/16\n198.19.0.0/17\n");
  CHECK(r.err ==
        "asncounterctl: block-list: AS64496 60.00% of 100 hits since start; 2 prefixes (2 IPv4, 0 IPv6)\n");
  // By ASN: every prefix of the top ASN, carved.
  auto a = block(d, [] {
    auto o = cidr_options();
    o.by_asn = true;
    o.limit = 1;
    o.family = Family::v4;
    return o;
  }());
  CHECK(body(a.out) == "198.18.0.0/16\n198.19.0.0/17\n");
  // Both ASNs: the /17 comes back, and the union merges into the /15.
  auto two = block(d, [] {
    auto o = cidr_options();
    o.limit = 2;
    return o;
  }());
  CHECK(body(two.out) == "198.18.0.0/15\n");
}

TEST_CASE("block-list nft rules count, hook input and/or forward, and expire", "[blocklist]") {
  auto merged = merge_prefixes({pfx("192.0.2.0/24"), pfx("198.51.100.0/24"), pfx("2001:db8::/32")});
  auto plain = format_blocklist(merged, BlockFormat::nft);
  CHECK(plain.find("chain input {\n    type filter hook input priority filter - 10; policy accept;\n"
                   "    ip saddr @blocked_v4 counter drop\n    ip6 saddr @blocked_v6 counter drop\n  }") !=
        std::string::npos);
  CHECK(plain.find("forward") == std::string::npos);
  CHECK(plain.find("timeout") == std::string::npos);
  auto routed = format_blocklist(merged, BlockFormat::nft, {},
                                 BlockRules{.input = false, .forward = true, .timeout = 600});
  CHECK(routed.find("chain input") == std::string::npos);
  CHECK(routed.find("chain forward {\n    type filter hook forward priority filter - 10; policy accept;\n") !=
        std::string::npos);
  CHECK(
      routed.find("type ipv4_addr\n    flags interval, timeout\n    elements = {\n      192.0.2.0/24 timeout "
                  "600s,\n      198.51.100.0/24 timeout 600s\n    }") != std::string::npos);
  CHECK(routed.find("2001:db8::/32 timeout 600s") != std::string::npos);
  auto both = format_blocklist(merged, BlockFormat::nft, {},
                               BlockRules{.input = true, .forward = true, .timeout = 0});
  CHECK(both.find("chain input") != std::string::npos);
  CHECK(both.find("chain forward") != std::string::npos);
  // Only nft's row takes them.
  for (const auto& row : block_formats()) CHECK(row.takes_rules == (row.id == BlockFormat::nft));
}

TEST_CASE("block-list's command line takes --asn lists, --hook and --timeout", "[blocklist]") {
  auto ctl = [](std::vector<std::string> args) {
    std::istringstream in;
    std::ostringstream out, err;
    args.insert(args.begin(), {"--socket", "/nonexistent/asncounter.sock"});
    int rc = run(args, in, out, err);
    return std::pair<int, std::string>{rc, err.str()};
  };
  // Well-formed: they get as far as connecting (exit 3).
  CHECK(ctl({"block-list", "--asn", "64496,AS64497", "--format", "nft", "--hook", "forward", "--timeout",
             "10m"})
            .first == 3);
  CHECK(ctl({"block-list", "--asn=64496", "--format", "cidr"}).first == 3);
  CHECK(ctl({"block-list", "--asn", "64496,x", "--format", "cidr"}).second.find("--asn takes AS numbers") !=
        std::string::npos);
  CHECK(ctl({"block-list", "--asn", "64496", "--by", "asn", "--format", "cidr"}).first == 2);
  CHECK(ctl({"block-list", "--timeout", "0", "--format", "nft"}).first == 2);
  CHECK(
      ctl({"block-list", "--hook", "output", "--format", "nft"}).second.find("--hook takes input, forward") !=
      std::string::npos);
  CHECK(ctl({"block-list", "--timeout", "10m", "--format", "ipset"}).second.find("are for --format nft") !=
        std::string::npos);
}
