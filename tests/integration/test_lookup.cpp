// `asncounterctl lookup` over the socket and offline (--db) print the same
// rows, read stdin when no address is given, and answer a bad address alone.
#include <catch2/catch.hpp>
#include <fstream>
#include <string>

#include "tests/integration/daemon_fixture.hpp"

using asncounter::test::CommandResult;
using asncounter::test::DaemonFixture;
using asncounter::test::quote;
using asncounter::test::run_command;

namespace {

// asncounterctl with `args`, stdout only (stderr to /dev/null), `input` on its stdin.
CommandResult ctl_out(const DaemonFixture& d, const std::string& args, const std::string& input = "") {
  auto path = d.dir() / "stdin.txt";
  std::ofstream(path, std::ios::trunc) << input;
  return run_command(quote(d.ctl_bin().string()) + " --socket " + quote(d.socket().string()) + " " + args +
                     " < " + quote(path.string()) + " 2>/dev/null");
}

std::string offline_args(const DaemonFixture& d) {
  return "--db " + quote(d.db().string()) + " --asnames " + quote((d.dir() / "asnames.json").string());
}

}  // namespace

TEST_CASE("lookup over the socket and offline print the same rows, a bad address alone", "[daemon][lookup]") {
  DaemonFixture d;
  const std::string texts = "192.0.2.77 2001:db8:1::1 192.0.2.300 ::ffff:198.51.100.1 10.0.0.1";
  const std::string rows =
      "192.0.2.77\t64496\t192.0.2.0/24\tDOC-A, ZZ\n"
      "2001:db8:1::1\t64500\t2001:db8:1::/48\tDOC-E, ZZ\n"
      "::ffff:198.51.100.1\t64497\t198.51.100.0/24\tDOC-B, ZZ\n"
      "10.0.0.1\tNone\tNone\tNone\n";
  auto online = ctl_out(d, "lookup " + texts);
  auto offline = ctl_out(d, "lookup " + offline_args(d) + " " + texts);
  CHECK(online.out == rows);
  CHECK(offline.out == rows);
  // The bad one: exit 1 and a line on stderr naming it; the others answered.
  CHECK(online.status == 1);
  CHECK(offline.status == 1);
  auto both = d.ctl("lookup 192.0.2.300 192.0.2.1");
  CHECK(both.out.find("asncounterctl: lookup: 192.0.2.300: not an IP address\n") != std::string::npos);
  CHECK(both.out.find("192.0.2.1\t64496\t192.0.2.0/24\tDOC-A, ZZ\n") != std::string::npos);
  // --json: the same answer from both, the bad address as an error row.
  auto json_online = ctl_out(d, "--json lookup " + texts);
  auto json_offline = ctl_out(d, "--json lookup " + offline_args(d) + " " + texts);
  CHECK(json_online.out == json_offline.out);
  CHECK(json_online.out.find(
            R"({"asn":null,"error":"not an IP address","ip":"192.0.2.300","name":null,"prefix":null})") !=
        std::string::npos);
}

TEST_CASE("lookup over the socket reads stdin when no address is given, in batches", "[daemon][lookup]") {
  DaemonFixture d;
  auto r = ctl_out(d, "lookup", "192.0.2.1\n\n  2001:db8::5  \n");
  CHECK(r.status == 0);
  CHECK(r.out == "192.0.2.1\t64496\t192.0.2.0/24\tDOC-A, ZZ\n2001:db8::5\t64499\t2001:db8::/32\tDOC-D, ZZ\n");
  // More addresses than one request may carry (4,096, and 64 KiB): all answered, in order.
  std::string input;
  std::string expected;
  for (int i = 0; i < 9000; ++i) {
    std::string ip = "2001:db8:1::" + std::to_string(1000 + i);
    input += ip + "\n";
    expected += ip + "\t64500\t2001:db8:1::/48\tDOC-E, ZZ\n";
  }
  auto many = ctl_out(d, "lookup", input);
  CHECK(many.status == 0);
  CHECK(many.out == expected);
  CHECK(ctl_out(d, "lookup " + offline_args(d), input).out == expected);
}
