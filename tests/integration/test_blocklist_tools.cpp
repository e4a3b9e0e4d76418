// block-list output from a running daemon, loaded into the real tools where
// the machine has them (nft, ipset, iptables-restore in a network namespace
// of the test's own, nginx -t).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>

#include "common/ip.hpp"
#include "ctl/blocklist.hpp"
#include "tests/integration/daemon_fixture.hpp"

using asncounter::test::CommandResult;
using asncounter::test::DaemonFixture;
using asncounter::test::have_program;
using asncounter::test::quote;
using asncounter::test::run_command;

namespace {

// 203.0.113.0/25 and /25 (both 64498) merge; 2001:db8:1::/48 falls inside 2001:db8::/32.
const char* const kLines =
    "203.0.113.1\n203.0.113.1\n203.0.113.200\n203.0.113.200\n192.0.2.1\n"
    "2001:db8:1::1\n2001:db8:2::1\n10.0.0.1\n";

// The command's output without its stderr lines (ctl() captures both; the
// summary and the warnings start with "asncounterctl:").
std::string block_list(const DaemonFixture& d, const std::string& args) {
  auto r = d.ctl("block-list " + args);
  REQUIRE(r.status == 0);
  std::istringstream in(r.out);
  std::string out;
  for (std::string line; std::getline(in, line);)
    if (!line.starts_with("asncounterctl:")) out += line + "\n";
  return out;
}

std::string save(const DaemonFixture& d, const std::string& name, const std::string& text) {
  auto path = (d.dir() / name).string();
  std::ofstream(path) << text;
  return path;
}

// The lines that are not comments (the header comment carries the date).
std::string body(const std::string& text) {
  std::istringstream in(text);
  std::string out;
  for (std::string line; std::getline(in, line);)
    if (!line.starts_with("#")) out += line + "\n";
  return out;
}

// How to run a shell script in a network namespace of its own: a user
// namespace (`unshare -rn`, no root needed) or, for root, `ip netns`; empty
// when neither is permitted here.
std::string netns_runner() {
  if (run_command("unshare -rn true 2>&1").status == 0) return "unshare -rn sh -c ";
  return {};
}

// Runs `script` in a fresh network namespace; SKIPs the test when none can be made.
#define RUN_IN_NETNS(result, script)                                                                \
  do {                                                                                              \
    std::string runner = netns_runner();                                                            \
    if (runner.empty()) ASNCOUNTER_SKIP("network namespaces are not permitted here (unshare -rn)"); \
    result = run_command(runner + quote(script) + " 2>&1");                                         \
  } while (false)

}  // namespace

TEST_CASE("block-list merges the top talkers' prefixes", "[daemon][blocklist]") {
  DaemonFixture d;
  d.write_fifo(kLines);
  REQUIRE(d.wait_for_hits(8) == 8);
  CHECK(body(block_list(d, "--format cidr --limit 0")) == "192.0.2.0/24\n203.0.113.0/24\n2001:db8::/32\n");
  CHECK(body(block_list(d, "--format cidr --limit 1")) == "203.0.113.0/25\n");
  CHECK(body(block_list(d, "--by asn --limit 1 --format cidr")) == "203.0.113.0/24\n");
  CHECK(block_list(d, "--format nginx --limit 0").find("deny 203.0.113.0/24;\n") != std::string::npos);
  CHECK(d.ctl("block-list --format pf").status == 2);
  CHECK(d.ctl("block-list").status == 2);
}

TEST_CASE("block-list nft output loads with nft -c", "[daemon][blocklist][tools]") {
  if (!have_program("nft")) ASNCOUNTER_SKIP("nft is not installed (Debian package nftables)");
  DaemonFixture d;
  d.write_fifo(kLines);
  REQUIRE(d.wait_for_hits(8) == 8);
  auto file = save(d, "block.nft", block_list(d, "--format nft --limit 0"));
  auto r = run_command("nft -c -f " + quote(file) + " 2>&1");
  INFO(r.out);
  CHECK(r.status == 0);
}

TEST_CASE("block-list ipset output restores inside a network namespace", "[daemon][blocklist][tools]") {
  if (!have_program("ipset")) ASNCOUNTER_SKIP("ipset is not installed (Debian package ipset)");
  if (geteuid() != 0) ASNCOUNTER_SKIP("needs root for a network namespace");
  DaemonFixture d;
  d.write_fifo(kLines);
  REQUIRE(d.wait_for_hits(8) == 8);
  auto file = save(d, "block.ipset", block_list(d, "--format ipset --limit 0"));
  std::string ns = "asncounter-test-" + std::to_string(getpid());
  if (run_command("ip netns add " + ns + " 2>&1").status != 0)
    ASNCOUNTER_SKIP("cannot create a network namespace");
  auto r = run_command("ip netns exec " + ns + " ipset restore -exist < " + quote(file) +
                       " 2>&1 && ip netns exec " + ns + " ipset list asncounter-block-v4 2>&1");
  run_command("ip netns del " + ns);
  INFO(r.out);
  CHECK(r.status == 0);
  CHECK(r.out.find("203.0.113.0/24") != std::string::npos);
}

TEST_CASE("block-list nginx and nginx-geo output pass nginx -t", "[daemon][blocklist][tools]") {
  if (!have_program("nginx")) ASNCOUNTER_SKIP("nginx is not installed (Debian package nginx-light)");
  DaemonFixture d;
  d.write_fifo(kLines);
  REQUIRE(d.wait_for_hits(8) == 8);
  auto deny = save(d, "deny.conf", block_list(d, "--format nginx --limit 0"));
  auto geo = save(d, "geo.conf", block_list(d, "--format nginx-geo --limit 0"));
  std::string dir = d.dir().path().string();
  auto conf = save(d, "nginx.conf",
                   "pid " + dir + "/nginx.pid;\nerror_log " + dir +
                       "/nginx-error.log;\nevents {}\nhttp {\n"
                       "  access_log off;\n  include " +
                       geo +
                       ";\n  server {\n    listen 127.0.0.1:8080;\n"
                       "    include " +
                       deny + ";\n    if ($asncounter_blocked) { return 403; }\n  }\n}\n");
  auto r = run_command("nginx -t -p " + quote(dir) + " -c " + quote(conf) + " 2>&1");
  INFO(r.out);
  CHECK(r.status == 0);
}

TEST_CASE("block-list --limit counts blockable rows, never the unrouted one", "[daemon][blocklist]") {
  DaemonFixture d;
  // The unrouted 10.0.0.1 is the top row of both tables.
  d.write_fifo("10.0.0.1\n10.0.0.1\n10.0.0.1\n203.0.113.1\n203.0.113.1\n192.0.2.1\n");
  REQUIRE(d.wait_for_hits(6) == 6);
  CHECK(body(block_list(d, "--format cidr --limit 1")) == "203.0.113.0/25\n");
  CHECK(body(block_list(d, "--by asn --format cidr --limit 1")) == "203.0.113.0/24\n");
  CHECK(body(block_list(d, "--format cidr --limit 2")) == "192.0.2.0/24\n203.0.113.0/25\n");
}

TEST_CASE("block-list selects by --min-count, --family and --exclude, and its header says so",
          "[daemon][blocklist]") {
  DaemonFixture d;
  d.write_fifo(kLines);
  REQUIRE(d.wait_for_hits(8) == 8);
  CHECK(body(block_list(d, "--format cidr --limit 0 --min-count 2")) == "203.0.113.0/24\n");
  CHECK(body(block_list(d, "--format cidr --limit 0 --family 6")) == "2001:db8::/32\n");
  CHECK(body(block_list(d, "--format cidr --limit 1 --family 4")) == "203.0.113.0/25\n");
  // Own networks and allowed ASNs: skipped rows do not count against --limit.
  auto own = save(d, "own.txt", "# our office\nAS64498\n192.0.2.128/25  # crawler\n\n2001:db8::/33\n");
  CHECK(body(block_list(d, "--format cidr --limit 1 --exclude " + quote(own))) == "192.0.2.0/25\n");
  CHECK(body(block_list(d, "--format cidr --limit 0 --family 6 --exclude " + quote(own))) ==
        "2001:db8:8000::/33\n");
  // The header comment: date, criteria, ASNs covered, how to load it.
  auto nft = block_list(d, "--format nft --limit 0 --min-count 2 --window 1h");
  CHECK(nft.starts_with("#!/usr/sbin/nft -f\n# asncounterctl block-list, made 20"));
  CHECK(nft.find("# criteria: --by prefix --limit 0 --window 3600s --min-count 2\n") != std::string::npos);
  CHECK(nft.find("# 1 prefixes (1 IPv4, 0 IPv6) from 1 ASNs: 64498\n") != std::string::npos);
  CHECK(nft.find("# load: nft -f FILE") != std::string::npos);
  // An empty result is still a valid list (it empties the live one), and said on stderr.
  auto empty = d.ctl("block-list --format cidr --min-count 1000");
  CHECK(empty.status == 0);
  CHECK(empty.out.find(
            "asncounterctl: block-list: no prefix to block (--by prefix --limit 20 --min-count 1000)") !=
        std::string::npos);
  auto bad = save(d, "bad.txt", "192.0.2.0/24\nexample.com\n");
  auto r = d.ctl("block-list --format cidr --exclude " + quote(bad));
  CHECK(r.status == 2);
  CHECK(r.out.find("line 2: not a prefix, address or ASN: example.com") != std::string::npos);
  CHECK(d.ctl("block-list --format cidr --family 5").status == 2);
}

TEST_CASE("block-list nft output loads, and a re-run replaces the kernel's sets",
          "[daemon][blocklist][tools]") {
  if (!have_program("nft")) ASNCOUNTER_SKIP("nft is not installed (Debian package nftables)");
  DaemonFixture d;
  d.write_fifo(kLines);
  REQUIRE(d.wait_for_hits(8) == 8);
  auto all = save(d, "all.nft", block_list(d, "--format nft --limit 0"));
  auto one = save(d, "one.nft", block_list(d, "--format nft --limit 1"));
  CommandResult r;
  RUN_IN_NETNS(r, "nft -f " + quote(all) + " && nft list set inet asncounter_block blocked_v6 && nft -f " +
                      quote(one) + " && echo RELOADED && nft list set inet asncounter_block blocked_v4");
  INFO(r.out);
  REQUIRE(r.status == 0);
  auto after = r.out.substr(r.out.find("RELOADED"));
  CHECK(r.out.find("2001:db8::/32") < r.out.find("RELOADED"));
  CHECK(after.find("203.0.113.0/25") != std::string::npos);
  CHECK(after.find("192.0.2.0/24") == std::string::npos);
}

TEST_CASE("block-list ipset output replaces the live sets whatever their sizes",
          "[daemon][blocklist][tools]") {
  if (!have_program("ipset")) ASNCOUNTER_SKIP("ipset is not installed (Debian package ipset)");
  DaemonFixture d;
  d.write_fifo(kLines);
  REQUIRE(d.wait_for_hits(8) == 8);
  // A big list first (70,000 separate /32s, over ipset's default 65,536), then the daemon's small one.
  std::vector<asncounter::Prefix> many;
  for (std::uint32_t i = 0; i < 70000; ++i)
    many.push_back(asncounter::Prefix{asncounter::Address::from_v4(0x0A000000U + 2 * i), 32});
  auto big =
      save(d, "big.ipset", asncounter::ctl::format_blocklist(many, asncounter::ctl::BlockFormat::ipset));
  auto small = save(d, "small.ipset", block_list(d, "--format ipset --limit 0"));
  CommandResult r;
  RUN_IN_NETNS(r, "ipset restore -exist < " + quote(big) +
                      " && ipset list -t asncounter-block-v4 && ipset restore -exist < " + quote(small) +
                      " && echo RELOADED && ipset list asncounter-block-v4 && ipset list -n");
  INFO(r.out);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("Number of entries: 70000") < r.out.find("RELOADED"));
  auto after = r.out.substr(r.out.find("RELOADED"));
  CHECK(after.find("Number of entries: 2\n") != std::string::npos);
  CHECK(after.find("192.0.2.0/24") != std::string::npos);
  CHECK(after.find("203.0.113.0/24") != std::string::npos);
  CHECK(after.find("-new") == std::string::npos);  // the temporary sets are gone
}

TEST_CASE(
    "block-list iptables-restore and ip6tables-restore load in one process, and a re-run replaces the chain",
    "[daemon][blocklist][tools]") {
  if (!have_program("iptables-restore") || !have_program("ip6tables-restore"))
    ASNCOUNTER_SKIP("iptables-restore is not installed (Debian package iptables)");
  DaemonFixture d;
  d.write_fifo(kLines);
  REQUIRE(d.wait_for_hits(8) == 8);
  auto v4all = save(d, "all.v4", block_list(d, "--format iptables-restore --limit 0"));
  auto v4one = save(d, "one.v4", block_list(d, "--format iptables-restore --limit 1"));
  auto v6all = save(d, "all.v6", block_list(d, "--format ip6tables-restore --limit 0"));
  auto v6none = save(d, "none.v6", block_list(d, "--format ip6tables-restore --limit 0 --min-count 2"));
  CommandResult r;
  RUN_IN_NETNS(r,
               "iptables-restore --noflush < " + quote(v4all) + " && iptables -I INPUT -j asncounter-block" +
                   " && ip6tables-restore --noflush < " + quote(v6all) +
                   " && ip6tables -I INPUT -j asncounter-block && iptables -S && ip6tables -S" +
                   " && iptables-restore --noflush < " + quote(v4one) + " && ip6tables-restore --noflush < " +
                   quote(v6none) + " && echo RELOADED && iptables -S && ip6tables -S");
  INFO(r.out);
  REQUIRE(r.status == 0);
  auto before = r.out.substr(0, r.out.find("RELOADED"));
  auto after = r.out.substr(r.out.find("RELOADED"));
  CHECK(before.find("-A asncounter-block -s 192.0.2.0/24 -j DROP") != std::string::npos);
  CHECK(before.find("-A asncounter-block -s 2001:db8::/32 -j DROP") != std::string::npos);
  CHECK(after.find("-A INPUT -j asncounter-block") != std::string::npos);
  CHECK(after.find("-A asncounter-block -s 203.0.113.0/25 -j DROP") != std::string::npos);
  CHECK(after.find("192.0.2.0/24") == std::string::npos);
  CHECK(after.find("2001:db8::/32") == std::string::npos);
}

TEST_CASE("block-list --asn carves another AS's /17 out of a /15, and its nft output loads in a namespace",
          "[daemon][blocklist][tools]") {
  DaemonFixture::Setup setup;
  setup.routes = {{"198.18.0.0/15", 64496}, {"198.19.128.0/17", 64497}};
  DaemonFixture d(setup);
  // 64496 sends 3 hits, 64497 (inside 64496's /15) one.
  d.write_fifo("198.18.0.1\n198.19.0.1\n198.18.7.7\n198.19.200.1\n");
  REQUIRE(d.wait_for_hits(4) == 4);
  CHECK(body(block_list(d, "--asn 64496 --format cidr")) == "198.18.0.0/16\n198.19.0.0/17\n");
  CHECK(body(block_list(d, "--asn AS64497 --format cidr")) == "198.19.128.0/17\n");
  CHECK(body(block_list(d, "--by asn --limit 1 --format cidr")) == "198.18.0.0/16\n198.19.0.0/17\n");
  auto summary = d.ctl("block-list --asn 64496 --window 1h --format cidr");
  CHECK(
      summary.out.find(
          "asncounterctl: block-list: AS64496 (DOC-A, ZZ) 75.00% of 4 hits in the last 3600s; 2 prefixes") !=
      std::string::npos);

  if (!have_program("nft")) ASNCOUNTER_SKIP("nft is not installed (Debian package nftables)");
  if (geteuid() != 0) ASNCOUNTER_SKIP("needs root for ip netns");
  auto file =
      save(d, "carve.nft", block_list(d, "--asn 64496 --format nft --hook input,forward --timeout 10m"));
  std::string ns = "carve-blocklist-" + std::to_string(getpid());
  if (run_command("ip netns add " + ns + " 2>&1").status != 0)
    ASNCOUNTER_SKIP("cannot create a network namespace");
  const std::string in_ns = "ip netns exec " + ns + " ";
  auto r = run_command(in_ns + "nft -f " + quote(file) + " 2>&1 && " + in_ns +
                       "nft list table inet asncounter_block 2>&1");
  run_command("ip netns del " + ns);
  INFO(r.out);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("198.18.0.0/16 timeout 10m") != std::string::npos);
  CHECK(r.out.find("198.19.0.0/17 timeout 10m") != std::string::npos);
  CHECK(r.out.find("198.19.128.0/17") == std::string::npos);
  CHECK(r.out.find("198.18.0.0/15") == std::string::npos);
  CHECK(r.out.find("hook input") != std::string::npos);
  CHECK(r.out.find("hook forward") != std::string::npos);
  CHECK(r.out.find("ip saddr @blocked_v4 counter packets 0 bytes 0 drop") != std::string::npos);
}
