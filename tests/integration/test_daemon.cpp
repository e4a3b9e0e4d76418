// The daemon driven by the real asncounterctl: counts, table answers,
// access control, reload and stop (issue 4, "Done when").
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/integration/daemon_fixture.hpp"

using asncounter::test::DaemonFixture;
using nlohmann::json;

namespace {

// 15 accepted lines over five ASNs and the unrouted row, plus one reject.
const char* const kLines =
    "192.0.2.1\n192.0.2.1\n192.0.2.1\n192.0.2.200\n192.0.2.200\n"
    "10.1.2.3\n10.1.2.3\n10.1.2.3\n10.1.2.3\n"
    "198.51.100.9\n198.51.100.9\n198.51.100.9\n"
    "2001:db8:1::5\n2001:db8:1::5\n"
    "2001:db8:ffff::1\n"
    "not-an-address\n";

const char* const kTop =
    "count\tpercent\tASN\tAS\n"
    "5\t33.33\t64496\tDOC-A, ZZ\n"
    "4\t26.67\tNone\tNone\n"
    "3\t20.00\t64497\tDOC-B, ZZ\n"
    "2\t13.33\t64500\tDOC-E, ZZ\n"
    "1\t6.67\t64499\tDOC-D, ZZ\n"
    "total: 15\n";

const char* const kPrefixes =
    "count\tpercent\tprefix\tASN\tAS\n"
    "5\t33.33\t192.0.2.0/24\t64496\tDOC-A, ZZ\n"
    "4\t26.67\tNone\t\t\n"
    "3\t20.00\t198.51.100.0/24\t64497\tDOC-B, ZZ\n"
    "2\t13.33\t2001:db8:1::/48\t64500\tDOC-E, ZZ\n"
    "1\t6.67\t2001:db8::/32\t64499\tDOC-D, ZZ\n"
    "total: 15\n";

}  // namespace

TEST_CASE("FIFO lines show up in top, prefixes, report and stats, and reset zeroes them", "[daemon]") {
  DaemonFixture d;
  d.write_fifo(kLines);
  REQUIRE(d.wait_for_hits(15) == 15);

  auto top = d.ctl("top");
  CHECK(top.status == 0);
  CHECK(top.out == kTop);
  CHECK(d.ctl("prefixes").out == kPrefixes);
  CHECK(d.ctl("report").out == std::string(kTop) + kPrefixes);
  CHECK(d.ctl("top --limit 1").out == "count\tpercent\tASN\tAS\n5\t33.33\t64496\tDOC-A, ZZ\ntotal: 15\n");
  CHECK(d.ctl("prefixes --asn 64500").out ==
        "count\tpercent\tprefix\tASN\tAS\n2\t13.33\t2001:db8:1::/48\t64500\tDOC-E, ZZ\ntotal: 15\n");

  auto top_json = json::parse(d.ctl("--json top --limit 2").out);
  CHECK(top_json["total"] == 15);
  REQUIRE(top_json["rows"].size() == 2);
  CHECK(top_json["rows"][0]["asn"] == 64496);
  CHECK(top_json["rows"][0]["name"] == "DOC-A, ZZ");
  CHECK(top_json["rows"][0]["count"] == 5);
  CHECK(top_json["rows"][0]["percent"] == Approx(33.33));
  CHECK(top_json["rows"][1]["asn"].is_null());
  CHECK(json::parse(d.ctl("prefixes --json --limit 1").out)["rows"][0]["prefix"] == "192.0.2.0/24");

  json s = d.stats();
  CHECK(s["totals"]["hits"] == 15);
  REQUIRE(s["inputs"].size() == 1);
  CHECK(s["inputs"][0]["spec"] == "fifo:" + d.fifo().string());
  CHECK(s["inputs"][0]["events"] == 15);
  CHECK(s["inputs"][0]["rejected"] == 1);
  CHECK(s["table"]["prefixes"] == 6);
  CHECK(s["table"]["v6_prefixes"] == 2);
  CHECK(s["table"]["format"] == "ipasn");
  auto text = d.ctl("stats");
  CHECK(text.status == 0);
  INFO(text.out);
  CHECK(text.out.find("\ncounts\n  15 hits\n") != std::string::npos);
  CHECK(text.out.find("\ntable\n  source: " + d.db().string() + " (ipasn)\n") != std::string::npos);

  auto reset = d.ctl("reset --yes");
  CHECK(reset.status == 0);
  CHECK(d.ctl("top").out == "count\tpercent\tASN\tAS\ntotal: 0\n");
  CHECK(d.stats()["totals"]["hits"] == 0);
  // Counting goes on after a reset.
  d.write_fifo("192.0.2.9\n");
  REQUIRE(d.wait_for_hits(1) == 1);
  CHECK(d.ctl("top").out == "count\tpercent\tASN\tAS\n1\t100.00\t64496\tDOC-A, ZZ\ntotal: 1\n");
}

TEST_CASE("as-prefixes and lookup answer from the loaded table", "[daemon]") {
  DaemonFixture d;
  auto ap = d.ctl("as-prefixes 64498");
  CHECK(ap.status == 0);
  CHECK(ap.out == "203.0.113.0/25\n203.0.113.128/25\n");
  CHECK(d.ctl("as-prefixes 64511").out.empty());
  auto lookup = d.ctl("lookup 192.0.2.77 2001:db8:1::1 ::ffff:198.51.100.1 10.0.0.1");
  CHECK(lookup.status == 0);
  CHECK(lookup.out ==
        "192.0.2.77\t64496\t192.0.2.0/24\tDOC-A, ZZ\n"
        "2001:db8:1::1\t64500\t2001:db8:1::/48\tDOC-E, ZZ\n"
        "::ffff:198.51.100.1\t64497\t198.51.100.0/24\tDOC-B, ZZ\n"
        "10.0.0.1\tNone\tNone\tNone\n");
  auto bad = d.ctl("lookup 192.0.2.300");
  CHECK(bad.status == 1);
  CHECK(bad.out.find("not an IP address") != std::string::npos);
  CHECK(d.ctl("frobnicate").status == 2);
  CHECK(d.ctl("top --limit x").status == 2);
  CHECK(d.ctl("version").out.find("protocol: 1") != std::string::npos);
  // The offline forms need no daemon.
  auto offline = asncounter::test::run_command(asncounter::test::quote(d.ctl_bin().string()) +
                                               " --socket /nonexistent/sock lookup --db " +
                                               asncounter::test::quote(d.db().string()) + " 192.0.2.5");
  CHECK(offline.status == 0);
  CHECK(offline.out == "192.0.2.5\t64496\t192.0.2.0/24\tNone\n");
}

TEST_CASE("asncounterctl says which socket it cannot reach (exit 3)", "[daemon]") {
  asncounter::test::TempDir tmp;
  auto r = asncounter::test::run_command(std::string(ASNCOUNTERCTL_BIN) + " --socket " +
                                         (tmp / "none.sock").string() + " top 2>&1");
  CHECK(r.status == 3);
  CHECK(r.out.find((tmp / "none.sock").string()) != std::string::npos);
}

TEST_CASE("A user who is not admin can read but not reset", "[daemon]") {
  if (!asncounter::test::have_program("setpriv")) ASNCOUNTER_SKIP("setpriv (util-linux) is not installed");
  if (geteuid() != 0) ASNCOUNTER_SKIP("needs root to switch to nobody");
  DaemonFixture d(
      {.config_text = "", .socket_group = "nogroup", .reachable_by_others = true, .extra_args = {}});
  d.write_fifo("192.0.2.1\n192.0.2.1\n");
  REQUIRE(d.wait_for_hits(2) == 2);
  const std::string nobody = "setpriv --reuid=nobody --regid=nogroup --clear-groups";
  auto top = d.ctl("top", nobody);
  CHECK(top.status == 0);
  CHECK(top.out.find("2\t100.00\t64496\tDOC-A, ZZ\n") != std::string::npos);
  auto reset = d.ctl("reset --yes", nobody);
  CHECK(reset.status == 1);
  CHECK(reset.out.find("admin") != std::string::npos);
  CHECK(d.ctl("reload", nobody).status == 1);
  CHECK(d.wait_for_hits(2) == 2);  // nothing was reset
  CHECK(d.log().find("denied admin method reset to uid 65534") != std::string::npos);
  // Someone who is not in the socket's group cannot even connect.
  auto stranger = d.ctl("top", "setpriv --reuid=65534 --regid=12345 --clear-groups");
  CHECK(stranger.status == 3);
  CHECK(d.ctl("reset --yes").status == 0);  // root is admin
  CHECK(d.log().find("admin method reset called by uid 0") != std::string::npos);
}

TEST_CASE("SIGHUP with a broken config keeps the old one, SIGTERM exits 0 and counts survive", "[daemon]") {
  DaemonFixture d({.config_text = "client-timeout = 30\n",
                   .socket_group = "",
                   .reachable_by_others = false,
                   .extra_args = {}});
  d.write_fifo(kLines);
  REQUIRE(d.wait_for_hits(15) == 15);
  { std::ofstream(d.config(), std::ios::trunc) << "client-timeout = banana\nno-such-key = 1\n"; }
  kill(d.pid(), SIGHUP);
  json s;
  for (int i = 0; i < 500 && (s = d.stats())["reloads"]["failed"] == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(s["reloads"]["failed"] == 1);
  CHECK(s["reloads"]["ok"] == 0);
  CHECK(s["reloads"]["last_error"].get<std::string>().find(d.config().string()) != std::string::npos);
  CHECK(d.ctl("top").out == kTop);  // still serving, nothing lost
  auto rpc_reload = d.ctl("reload");
  CHECK(rpc_reload.status == 1);
  { std::ofstream(d.config(), std::ios::trunc) << "client-timeout = 20\n"; }
  CHECK(d.ctl("reload").status == 0);
  CHECK(d.stats()["reloads"]["ok"] == 1);

  CHECK(d.stop(SIGTERM) == 0);
  CHECK(std::filesystem::exists(d.dir() / "state"));
  d.start();
  CHECK(d.ctl("top").out == kTop);  // the counts came back from the state directory
  CHECK(d.stop(SIGINT) == 0);
}
