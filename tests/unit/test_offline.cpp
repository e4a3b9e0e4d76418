#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/table/ipasn.hpp"
#include "ctl/commands.hpp"
#include "ctl/exit_codes.hpp"
#include "ctl/offline.hpp"
#include "tests/support/addresses.hpp"
#include "tests/support/test_support.hpp"
#include "tests/tools/mrt_writer.hpp"

using asncounter::test::MrtWriter;
using asncounter::test::Packing;
using asncounter::test::path_entry;
using asncounter::test::TempDir;
namespace ctl = asncounter::ctl;

namespace {

using asncounter::test::pfx;

// A RIB with a more-specific inside a bigger prefix, in both families.
std::string write_rib(const TempDir& dir) {
  MrtWriter w(1400824800);
  w.peer_index_table(1);
  w.rib(pfx("198.51.100.0/22"), {path_entry({3356, 64496})});
  w.rib(pfx("198.51.100.128/25"), {path_entry({3356, 64497})});
  w.rib(pfx("203.0.113.0/24"), {path_entry({3356, 64496})});
  w.rib(pfx("2001:db8::/32"), {path_entry({3356, 64498})});
  w.rib(pfx("2001:db8:1::/48"), {path_entry({3356, 64496})});
  std::string path = (dir / "rib.bz2").string();
  asncounter::test::write_packed(path, w.bytes(), Packing::bzip2);
  return path;
}

// asncounterctl with `args`; stdout and stderr kept apart.
struct Ran {
  int rc;
  std::string out;
  std::string err;
};
Ran ctl_run(std::vector<std::string> args, const std::string& input = "") {
  std::istringstream in(input);
  std::ostringstream out, err;
  args.insert(args.begin(), {"--socket", "/nonexistent/asncounter.sock"});
  int rc = ctl::run(args, in, out, err);
  return {rc, out.str(), err.str()};
}

}  // namespace

TEST_CASE("offline lookup prints ip, asn, prefix and AS name, None where unrouted", "[offline]") {
  TempDir dir;
  std::string db = write_rib(dir);
  std::string names = (dir / "asnames.json").string();
  std::ofstream(names) << R"({"64496": "DOC-A, ZZ", "64497": "DOC-B, ZZ"})";
  auto r = ctl_run({"lookup", "--db", db, "--asnames", names, "198.51.100.200", "198.51.101.7", "192.0.2.1",
                    "2001:db8:1::5", "::ffff:203.0.113.9", "2001:db8::7"});
  CHECK(r.rc == ctl::kExitOk);
  CHECK(r.err.empty());
  CHECK(r.out ==
        "198.51.100.200\t64497\t198.51.100.128/25\tDOC-B, ZZ\n"
        "198.51.101.7\t64496\t198.51.100.0/22\tDOC-A, ZZ\n"
        "192.0.2.1\tNone\tNone\tNone\n"
        "2001:db8:1::5\t64496\t2001:db8:1::/48\tDOC-A, ZZ\n"
        "::ffff:203.0.113.9\t64496\t203.0.113.0/24\tDOC-A, ZZ\n"
        "2001:db8::7\t64498\t2001:db8::/32\tNone\n");
  // Without a names file: the same columns, names None.
  CHECK(ctl_run({"lookup", "--db", db, "198.51.101.7"}).out ==
        "198.51.101.7\t64496\t198.51.100.0/22\tNone\n");
  // --asnames belongs to the offline form only.
  CHECK(ctl_run({"lookup", "--asnames", names, "192.0.2.1"}).rc == ctl::kExitUsage);
}

TEST_CASE("offline lookup reads stdin when no address is given and goes on past bad ones", "[offline]") {
  TempDir dir;
  std::string db = write_rib(dir);
  auto r = ctl_run({"lookup", "--db", db}, "  198.51.100.1  \n\nnot-an-ip\n2001:db8::1\n300.1.1.1\n");
  CHECK(r.rc == ctl::kExitDaemonError);
  CHECK(r.out == "198.51.100.1\t64496\t198.51.100.0/22\tNone\n2001:db8::1\t64498\t2001:db8::/32\tNone\n");
  CHECK(r.err ==
        "asncounterctl: lookup: not-an-ip: not an IP address\n"
        "asncounterctl: lookup: 300.1.1.1: not an IP address\n");
}

TEST_CASE("offline lookup honours --json with the daemon's answer shape, bad texts as error rows",
          "[offline]") {
  TempDir dir;
  std::string db = write_rib(dir);
  auto r = ctl_run({"--json", "lookup", "--db", db}, "198.51.100.1\nnope\n");
  CHECK(r.rc == ctl::kExitDaemonError);
  CHECK(r.err.empty());
  CHECK(r.out == R"({"results":[{"asn":64496,"ip":"198.51.100.1","name":null,"prefix":"198.51.100.0/22"},)"
                 R"({"asn":null,"error":"not an IP address","ip":"nope","name":null,"prefix":null}]})"
                 "\n");
}

TEST_CASE("offline lookup answers more addresses than one request holds, in order", "[offline]") {
  TempDir dir;
  std::string db = write_rib(dir);
  std::string input;
  std::string expected;
  for (int i = 0; i < 10000; ++i) {
    std::string ip = "2001:db8:1::" + std::to_string(i % 10000);
    input += ip + "\n";
    expected += ip + "\t64496\t2001:db8:1::/48\tNone\n";
  }
  auto r = ctl_run({"lookup", "--db", db}, input);
  CHECK(r.rc == ctl::kExitOk);
  CHECK(r.out == expected);
}

TEST_CASE("offline commands report an unreadable table", "[offline]") {
  TempDir dir;
  std::ostringstream out, err;
  std::string missing = (dir / "missing.bz2").string();
  auto r = ctl_run({"lookup", "--db", missing, "192.0.2.1"});
  CHECK(r.rc == ctl::kExitDaemonError);
  CHECK(r.err.find(missing) != std::string::npos);
  CHECK(ctl::offline_as_prefixes(missing, 64496, out, err) == ctl::kExitDaemonError);
  CHECK(ctl::convert(missing, (dir / "out.dat").string(), err) == ctl::kExitDaemonError);
  CHECK(out.str().empty());
  CHECK(err.str().find(missing) != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "out.dat"));
}

TEST_CASE("offline as-prefixes lists an ASN's prefixes sorted", "[offline]") {
  TempDir dir;
  std::string db = write_rib(dir);
  std::ostringstream out, err;
  CHECK(ctl::offline_as_prefixes(db, 64496, out, err) == ctl::kExitOk);
  CHECK(out.str() == "198.51.100.0/22\n203.0.113.0/24\n2001:db8:1::/48\n");
  std::ostringstream none;
  CHECK(ctl::offline_as_prefixes(db, 64511, none, err) == ctl::kExitOk);
  CHECK(none.str().empty());
}

TEST_CASE("convert writes an ipasn file that reads back to the same routes", "[offline]") {
  TempDir dir;
  std::string db = write_rib(dir);
  for (const char* name : {"out.dat", "out.dat.gz"}) {
    INFO(name);
    std::string out = (dir / name).string();
    std::ostringstream err;
    REQUIRE(ctl::convert(db, out, err) == ctl::kExitOk);
    CHECK(err.str().empty());
    auto set = asncounter::read_ipasn_file(out);
    INFO((set ? "" : set.error()));
    REQUIRE(set.ok());
    // The dump's own time comes back from the header (the name "rib.bz2"
    // has no date in it).
    CHECK(set->info.dump_time == 1400824800);
    std::ostringstream text;
    for (const auto& r : set->routes) text << asncounter::to_string(r.prefix) << ' ' << r.asn << '\n';
    CHECK(text.str() ==
          "198.51.100.0/22 64496\n198.51.100.128/25 64497\n203.0.113.0/24 64496\n"
          "2001:db8::/32 64498\n2001:db8:1::/48 64496\n");
  }
  auto plain = asncounter::test::run_command("head -c 600 " + (dir / "out.dat").string());
  CHECK(plain.out.rfind("; IP-ASN32-DAT file\n", 0) == 0);
  CHECK(plain.out.find("; Prefixes-v4   : 3\n; Prefixes-v6   : 2\n") != std::string::npos);
  CHECK(plain.out.find("; Original file : " + db + "\n") != std::string::npos);
  CHECK(plain.out.find("; Dump time     : 2014-05-23 06:00:00 UTC\n") != std::string::npos);
}
