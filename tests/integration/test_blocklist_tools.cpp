// block-list output from a running daemon, loaded into the real tools where
// the machine has them (nft, ipset in a network namespace, nginx -t).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <string>

#include "tests/integration/daemon_fixture.hpp"

using asncounter::test::DaemonFixture;
using asncounter::test::have_program;
using asncounter::test::quote;
using asncounter::test::run_command;

namespace {

// 203.0.113.0/25 and /25 (both 64498) merge; 2001:db8:1::/48 falls inside 2001:db8::/32.
const char* const kLines =
    "203.0.113.1\n203.0.113.1\n203.0.113.200\n203.0.113.200\n192.0.2.1\n"
    "2001:db8:1::1\n2001:db8:2::1\n10.0.0.1\n";

std::string block_list(const DaemonFixture& d, const std::string& args) {
  auto r = d.ctl("block-list " + args);
  REQUIRE(r.status == 0);
  return r.out;
}

std::string save(const DaemonFixture& d, const std::string& name, const std::string& text) {
  auto path = (d.dir() / name).string();
  std::ofstream(path) << text;
  return path;
}

}  // namespace

TEST_CASE("block-list merges the top talkers' prefixes", "[daemon][blocklist]") {
  DaemonFixture d;
  d.write_fifo(kLines);
  REQUIRE(d.wait_for_hits(8) == 8);
  CHECK(block_list(d, "--format cidr --limit 0") == "192.0.2.0/24\n203.0.113.0/24\n2001:db8::/32\n");
  CHECK(block_list(d, "--format cidr --limit 1") == "203.0.113.0/25\n");
  CHECK(block_list(d, "--by asn --limit 1 --format cidr") == "203.0.113.0/24\n");
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
