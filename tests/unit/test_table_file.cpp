#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <vector>

#include "common/table/table_file.hpp"
#include "tests/support/addresses.hpp"
#include "tests/support/test_support.hpp"
#include "tests/tools/mrt_writer.hpp"

using asncounter::TableFormat;
using asncounter::test::MrtWriter;
using asncounter::test::Packing;
using asncounter::test::path_entry;
using asncounter::test::TempDir;

namespace {

using asncounter::test::addr;
using asncounter::test::pfx;

MrtWriter sample_rib() {
  MrtWriter w(1400824800);
  w.peer_index_table(1);
  w.rib(pfx("198.51.100.0/22"), {path_entry({3356, 64496})});
  w.rib(pfx("198.51.100.128/25"), {path_entry({3356, 64497})});
  w.rib(pfx("2001:db8::/32"), {path_entry({3356, 64498})});
  return w;
}

const char* kIpasnText =
    "; IP-ASN32-DAT file\n"
    "198.51.100.0/22\t64496\n"
    "198.51.100.128/25\t64497\n"
    "2001:db8::/32\t64498\n";

std::vector<unsigned char> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

}  // namespace

TEST_CASE("Table formats are told apart by their first bytes", "[table_file]") {
  auto w = sample_rib();
  CHECK(asncounter::detect_table_format(w.bytes()) == TableFormat::mrt);
  CHECK(asncounter::detect_table_format(bytes_of(kIpasnText)) == TableFormat::ipasn);
  CHECK(asncounter::detect_table_format(bytes_of("1.0.0.0/24\t15169\n")) == TableFormat::ipasn);
  CHECK_FALSE(
      asncounter::detect_table_format(bytes_of(std::string("\x7f"
                                                           "ELF\x02\x01\x01\0\0\0\0\0",
                                                           12))));
  CHECK_FALSE(asncounter::detect_table_format({}));
}

TEST_CASE("read_table_file reads MRT and ipasn in any compression, whatever the name", "[table_file]") {
  TempDir dir;
  auto w = sample_rib();
  struct Case {
    std::string file;
    std::vector<unsigned char> data;
    Packing packing;
    const char* format;
  };
  std::vector<Case> cases{
      {"a.dat", w.bytes(), Packing::plain, "mrt"},
      {"b.txt", w.bytes(), Packing::gzip, "mrt"},
      {"c.dat.gz", w.bytes(), Packing::bzip2, "mrt"},
      {"d.bz2", bytes_of(kIpasnText), Packing::plain, "ipasn"},
      {"e.mrt", bytes_of(kIpasnText), Packing::gzip, "ipasn"},
  };
  for (const auto& c : cases) {
    INFO(c.file);
    std::string path = (dir / c.file).string();
    asncounter::test::write_packed(path, c.data, c.packing);
    auto set = asncounter::read_table_file(path);
    INFO((set ? "" : set.error()));
    REQUIRE(set.ok());
    CHECK(asncounter::table_format_name(set->info.format) == c.format);
    CHECK(set->info.source == path);
    REQUIRE(set->routes.size() == 3);
    CHECK(set->routes[1].prefix == pfx("198.51.100.128/25"));
    CHECK(set->routes[1].asn == 64497);
    if (std::string(c.format) == "mrt") CHECK(set->info.dump_time == 1400824800);
  }
}

TEST_CASE("load_table builds a lookup table with its metadata", "[table_file]") {
  TempDir dir;
  std::string path = (dir / "rib.bz2").string();
  asncounter::test::write_packed(path, sample_rib().bytes(), Packing::bzip2);
  auto table = asncounter::load_table(path);
  INFO((table ? "" : table.error()));
  REQUIRE(table.ok());
  const auto& t = **table;
  CHECK(t.v4_prefix_count() == 2);
  CHECK(t.v6_prefix_count() == 1);
  CHECK(t.info().source == path);
  CHECK(t.info().format == TableFormat::mrt);
  CHECK(t.info().dump_time == 1400824800);
  auto inner = t.lookup(addr("198.51.100.200"));
  REQUIRE(inner);
  CHECK(inner->asn == 64497);  // the more-specific
  CHECK(inner->prefix == pfx("198.51.100.128/25"));
  auto outer = t.lookup(addr("198.51.101.1"));
  REQUIRE(outer);
  CHECK(outer->asn == 64496);
  CHECK(t.lookup(addr("2001:db8:ffff::1"))->asn == 64498);
  CHECK_FALSE(t.lookup(addr("192.0.2.1")));
}

TEST_CASE("Unreadable table files are errors naming the file", "[table_file]") {
  TempDir dir;
  std::string empty = (dir / "empty.dat").string();
  std::ofstream(empty).close();
  std::string binary = (dir / "binary.dat").string();
  asncounter::test::write_packed(binary,
                                 bytes_of(std::string("\x7f"
                                                      "ELF\x02\x01\x01\0\0\0\0\0\x01\x02",
                                                      14)),
                                 Packing::gzip);
  std::string cut = (dir / "cut.bz2").string();
  {
    auto w = sample_rib();
    std::vector<unsigned char> big;
    for (int i = 0; i < 2000; ++i) big.insert(big.end(), w.bytes().begin(), w.bytes().end());
    asncounter::test::write_packed(cut, big, Packing::bzip2);
    std::filesystem::resize_file(cut, std::filesystem::file_size(cut) / 2);
  }
  for (const auto& path : {empty, binary, cut, (dir / "missing.dat").string()}) {
    INFO(path);
    auto set = asncounter::read_table_file(path);
    REQUIRE_FALSE(set.ok());
    CHECK(set.error().find(path) != std::string::npos);
    CHECK_FALSE(asncounter::load_table(path).ok());
  }
}

TEST_CASE("Text that is not ipasn is refused, not misread as ipasn", "[table_file]") {
  const std::string passwd =
      "root:x:0:0:root:/root:/bin/bash\n"
      "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n";
  const std::string csv = "prefix,asn\n1.0.0.0/24,15169\n";
  const std::string commented_csv = "# exported routes\n1.0.0.0/24,15169\n";
  for (const std::string& text : {passwd, csv, commented_csv, std::string("hello")}) {
    INFO(text);
    CHECK_FALSE(asncounter::detect_table_format(bytes_of(text)));
  }
  TempDir dir;
  std::string path = (dir / "passwd").string();
  asncounter::test::write_packed(path, bytes_of(passwd), Packing::gzip);
  auto set = asncounter::read_table_file(path);
  REQUIRE_FALSE(set.ok());
  CHECK_THAT(set.error(), Catch::StartsWith(path) && Catch::Contains("not a table format") &&
                              Catch::Contains("mrt") && Catch::Contains("ipasn"));
  // A header longer than the bytes peeked at does not hide the first route.
  std::string long_header = "; " + std::string(6000, '-') + "\n1.0.0.0/24\t15169\n";
  CHECK(asncounter::detect_table_format(bytes_of(long_header)) == TableFormat::ipasn);
  CHECK(asncounter::detect_table_format(bytes_of("\n\n1.0.0.0/24 15169\r\n2001:db8::/32\t6")) ==
        TableFormat::ipasn);
}
