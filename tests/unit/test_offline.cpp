#include <catch2/catch.hpp>

#include <sstream>
#include <string>

#include "common/table/ipasn.hpp"
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

}  // namespace

TEST_CASE("offline lookup prints ip, asn and prefix, None where unrouted", "[offline]") {
  TempDir dir;
  std::string db = write_rib(dir);
  std::istringstream none;
  std::ostringstream out, err;
  int rc = ctl::offline_lookup(
      db, {"198.51.100.200", "198.51.101.7", "192.0.2.1", "2001:db8:1::5", "::ffff:203.0.113.9"}, none, out,
      err);
  CHECK(rc == ctl::kExitOk);
  CHECK(err.str().empty());
  CHECK(out.str() ==
        "198.51.100.200\t64497\t198.51.100.128/25\n"
        "198.51.101.7\t64496\t198.51.100.0/22\n"
        "192.0.2.1\tNone\tNone\n"
        "2001:db8:1::5\t64496\t2001:db8:1::/48\n"
        "::ffff:203.0.113.9\t64496\t203.0.113.0/24\n");
}

TEST_CASE("offline lookup reads stdin when no address is given and goes on past bad ones", "[offline]") {
  TempDir dir;
  std::string db = write_rib(dir);
  std::istringstream in("  198.51.100.1  \n\nnot-an-ip\n2001:db8::1\n300.1.1.1\n");
  std::ostringstream out, err;
  int rc = ctl::offline_lookup(db, {}, in, out, err);
  CHECK(rc == ctl::kExitDaemonError);
  CHECK(out.str() == "198.51.100.1\t64496\t198.51.100.0/22\n2001:db8::1\t64498\t2001:db8::/32\n");
  CHECK(err.str() == "not an IP address: not-an-ip\nnot an IP address: 300.1.1.1\n");
}

TEST_CASE("offline commands report an unreadable table", "[offline]") {
  TempDir dir;
  std::istringstream in;
  std::ostringstream out, err;
  std::string missing = (dir / "missing.bz2").string();
  CHECK(ctl::offline_lookup(missing, {"192.0.2.1"}, in, out, err) == ctl::kExitDaemonError);
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
