// pyasn's ipasn format: reading (plain and gzip, pyasn's own files), writing,
// round trips, and malformed lines that must name the file and line.
#include <catch2/catch.hpp>

#include <zlib.h>

#include <fstream>
#include <set>

#include "common/table/ipasn.hpp"
#include "common/table/lpm_table.hpp"
#include "tests/support/test_support.hpp"

using namespace asncounter;
using asncounter::test::TempDir;

namespace {

void write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

void write_gz(const std::filesystem::path& p, const std::string& text) {
  gzFile f = gzopen(p.c_str(), "wb");
  REQUIRE(f);
  REQUIRE(gzwrite(f, text.data(), static_cast<unsigned>(text.size())) == static_cast<int>(text.size()));
  REQUIRE(gzclose(f) == Z_OK);
}

std::string read_plain(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

Route route(const char* prefix, std::uint32_t asn) { return Route{*parse_prefix(prefix), asn}; }

}  // namespace

TEST_CASE("ipasn: reads pyasn's layout: comments, tabs, blank lines, both families", "[ipasn]") {
  TempDir dir;
  write_file(dir / "t.dat",
             "; IP-ASN32-DAT file\n"
             "; Original file : data/rib.20140513.0600.bz2\n"
             "; Prefixes      : 4\n"
             "; \n"
             "1.0.0.0/24\t15169\n"
             "\n"
             "1.0.128.0/17\t9737\r\n"
             "2001:db8::/32\t64496\n"
             "# a hash comment, which pyasn also skips\n"
             "0.0.0.0/0\t3356\n"
             "192.0.2.0/24 64511");  // spaces instead of a tab, no final newline
  auto set = read_ipasn_file((dir / "t.dat").string());
  REQUIRE(set.ok());
  REQUIRE(set->routes.size() == 4);
  CHECK(to_string(set->routes[0].prefix) == "1.0.0.0/24");
  CHECK(set->routes[0].asn == 15169);
  CHECK(to_string(set->routes[1].prefix) == "1.0.128.0/17");
  CHECK(set->routes[1].asn == 9737);
  CHECK(to_string(set->routes[2].prefix) == "2001:db8::/32");
  CHECK(to_string(set->routes[3].prefix) == "192.0.2.0/24");
  CHECK(set->routes[3].asn == 64511);
  CHECK(set->dropped_routes == 1);   // the default route
  CHECK(set->skipped_records == 5);  // comment lines
  CHECK(set->info.format == asncounter::TableFormat::ipasn);
  CHECK(set->info.source == (dir / "t.dat").string());
  CHECK(set->info.dump_time == 1399960800);  // 2014-05-13 06:00 UTC, from the dump's name
}

TEST_CASE("ipasn: a Dump time line, as convert writes it, wins over the dump name's date", "[ipasn]") {
  TempDir dir;
  auto dump_time_of = [&](const std::string& header) {
    write_file(dir / "t.dat", header + "192.0.2.0/24\t64496\n");
    auto set = read_ipasn_file((dir / "t.dat").string());
    REQUIRE(set.ok());
    CHECK(set->routes.size() == 1);
    return set->info.dump_time;
  };
  CHECK(
      dump_time_of("; Original file : rib.20140513.0600.bz2\n; Dump time     : 2014-05-23 06:00:00 UTC\n") ==
      1400824800);
  CHECK(
      dump_time_of("; Dump time     : 2014-05-23 06:00:00 UTC\n; Original file : rib.20140513.0600.bz2\n") ==
      1400824800);
  // A line that does not hold a time is only a comment.
  CHECK(dump_time_of("; Original file : rib.20140513.0600.bz2\n; Dump time     : soon\n") == 1399960800);
  CHECK(dump_time_of("; Dump time     : 2014-05-23\n") == 0);
}

TEST_CASE("ipasn: host bits are cleared, as pyasn's radix tree does", "[ipasn]") {
  TempDir dir;
  write_file(dir / "t.dat", "10.29.246.49/24\t286\n");
  auto set = read_ipasn_file((dir / "t.dat").string());
  REQUIRE(set.ok());
  CHECK(to_string(set->routes.at(0).prefix) == "10.29.246.0/24");
}

TEST_CASE("ipasn: a malformed line is an error naming the file and the line", "[ipasn]") {
  TempDir dir;
  const char* bad[] = {
      "1.0.0.0/24\n",               // no ASN
      "1.0.0.0\t15169\n",           // no length
      "1.0.0.0/33\t15169\n",        // length too long
      "1.0.0.256/24\t15169\n",      // bad octet
      "1.0.0.0/24\tAS15169\n",      // not a number
      "1.0.0.0/24\t4294967296\n",   // ASN out of range
      "1.0.0.0/24\t0\n",            // ASN 0 (pyasn refuses it too)
      "1.0.0.0/24\t15169 extra\n",  // trailing junk
      "2001:db8::/129\t1\n",        // v6 length too long
  };
  for (const char* line : bad) {
    INFO("line: " << line);
    write_file(dir / "bad.dat", std::string("; header\n1.0.4.0/24\t56203\n") + line + "1.0.5.0/24\t56203\n");
    auto set = read_ipasn_file((dir / "bad.dat").string());
    REQUIRE_FALSE(set.ok());
    CHECK_THAT(set.error(), Catch::Contains((dir / "bad.dat").string() + ":3:"));
  }
  // An embedded NUL cannot hide in a C string literal above: check it here.
  write_file(dir / "nul.dat", std::string("1.0.0.0/24\t1\0\n", 14));
  auto set = read_ipasn_file((dir / "nul.dat").string());
  REQUIRE_FALSE(set.ok());
  CHECK_THAT(set.error(), Catch::Contains("nul.dat:1:"));
}

TEST_CASE("ipasn: missing and truncated files are errors, never crashes", "[ipasn]") {
  TempDir dir;
  auto missing = read_ipasn_file((dir / "nope.dat").string());
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.error(), Catch::Contains("nope.dat"));
  std::string text;
  for (int i = 0; i < 20000; ++i)
    text += "10." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ".0/24\t64496\n";
  write_gz(dir / "t.dat.gz", text);
  std::string gz = read_plain(dir / "t.dat.gz");
  write_file(dir / "cut.dat.gz", gz.substr(0, gz.size() / 2));
  auto cut = read_ipasn_file((dir / "cut.dat.gz").string());
  REQUIRE_FALSE(cut.ok());
  CHECK_THAT(cut.error(), Catch::Contains("cut.dat.gz"));
  auto whole = read_ipasn_file((dir / "t.dat.gz").string());
  REQUIRE(whole.ok());
  CHECK(whole->routes.size() == 20000);
}

TEST_CASE("ipasn: write then read gives the same routes, plain and gzip", "[ipasn]") {
  TempDir dir;
  std::vector<Route> routes = {route("1.0.0.0/24", 15169),           route("1.0.128.0/17", 9737),
                               route("192.0.2.255/32", 4200000000U), route("2001:db8::/32", 64496),
                               route("2001:db8:1::1/128", 65551),    route("0.0.0.0/0", 1)};
  for (const char* name : {"out.dat", "out.dat.gz"}) {
    auto path = (dir / name).string();
    auto n = write_ipasn(path, routes, {"IP-ASN32-DAT file", "Prefixes-v4   : 3"});
    REQUIRE(n.ok());
    CHECK(*n == 5);  // the default route is not written
    auto back = read_ipasn_file(path);
    REQUIRE(back.ok());
    REQUIRE(back->routes.size() == 5);
    for (std::size_t i = 0; i < 5; ++i) {
      CHECK(back->routes[i].prefix == routes[i].prefix);
      CHECK(back->routes[i].asn == routes[i].asn);
    }
    CHECK(back->skipped_records == 2);
    CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
  }
  // Compressed by name: the .gz file starts with gzip's magic, the other is text.
  std::string gz = read_plain(dir / "out.dat.gz");
  REQUIRE(gz.size() > 2);
  CHECK(static_cast<unsigned char>(gz[0]) == 0x1f);
  CHECK(static_cast<unsigned char>(gz[1]) == 0x8b);
  CHECK(read_plain(dir / "out.dat") ==
        "; IP-ASN32-DAT file\n; Prefixes-v4   : 3\n1.0.0.0/24\t15169\n1.0.128.0/17\t9737\n"
        "192.0.2.255/32\t4200000000\n2001:db8::/32\t64496\n2001:db8:1::1/128\t65551\n");
  auto unwritable = write_ipasn((dir / "no/such/dir/x.dat").string(), routes, {});
  REQUIRE_FALSE(unwritable.ok());
  CHECK_THAT(unwritable.error(), Catch::Contains("x.dat"));
}

TEST_CASE("ipasn: the real pyasn tables load whole", "[ipasn][data]") {
  auto v4 = asncounter::test::shared_data("ipasn_20140513.dat.gz");
  if (!v4) ASNCOUNTER_SKIP(asncounter::test::missing_data_message("ipasn_20140513.dat.gz"));
  auto set = read_ipasn_file(v4->string());
  REQUIRE(set.ok());
  CHECK(set->routes.size() == 512621);
  auto table = LpmTable::build(set->routes, set->info);
  CHECK(table->prefix_count() == 512621);
  // pyasn.pyasn("ipasn_20140513.dat.gz").lookup("1.0.0.1") == (15169, '1.0.0.0/24')
  auto m = table->lookup(*parse_address("1.0.0.1"));
  REQUIRE(m);
  CHECK(m->asn == 15169);
  CHECK(to_string(m->prefix) == "1.0.0.0/24");

  auto v6 = asncounter::test::shared_data("ipasn6_20151101.dat.gz");
  if (!v6) ASNCOUNTER_SKIP(asncounter::test::missing_data_message("ipasn6_20151101.dat.gz"));
  auto set6 = read_ipasn_file(v6->string());
  REQUIRE(set6.ok());
  std::size_t n4 = 0, n6 = 0;
  for (const auto& r : set6->routes) (r.prefix.addr.is_v4() ? n4 : n6)++;
  CHECK(n4 == 606138);
  CHECK(n6 == 27693);
  auto table6 = LpmTable::build(set6->routes, set6->info);
  CHECK(table6->v4_prefix_count() == 606138);
  CHECK(table6->v6_prefix_count() == 27693);
  // Written back out and read again, the table is the same.
  TempDir dir;
  auto path = (dir / "copy.dat.gz").string();
  REQUIRE(write_ipasn(path, table6->routes(), {"copy"}).ok());
  auto again = read_ipasn_file(path);
  REQUIRE(again.ok());
  auto table_again = LpmTable::build(again->routes, again->info);
  auto before = table6->routes();
  auto after = table_again->routes();
  REQUIRE(after.size() == before.size());
  std::size_t differ = 0;
  for (std::size_t i = 0; i < before.size(); ++i)
    differ += before[i].prefix != after[i].prefix || before[i].asn != after[i].asn ? 1 : 0;
  CHECK(differ == 0);
}
