#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "common/table/mrt_attributes.hpp"
#include "common/table/mrt_reader.hpp"
#include "tests/support/addresses.hpp"
#include "tests/support/test_support.hpp"
#include "tests/tools/mrt_writer.hpp"

using asncounter::Prefix;
using asncounter::RouteSet;
using asncounter::test::as_seq;
using asncounter::test::as_set;
using asncounter::test::MrtWriter;
using asncounter::test::Packing;
using asncounter::test::path_entry;
using asncounter::test::RibEntry;
using asncounter::test::TempDir;
namespace mrt = asncounter::mrt;

namespace {

using asncounter::test::pfx;

std::map<std::string, std::uint32_t> mapping(const RouteSet& set) {
  std::map<std::string, std::uint32_t> m;
  for (const auto& r : set.routes) m.emplace(asncounter::to_string(r.prefix), r.asn);
  return m;
}

asncounter::Result<RouteSet> parse(const MrtWriter& w) {
  return asncounter::read_mrt(std::span<const unsigned char>(w.bytes()), "fixture.mrt");
}

RouteSet parse_ok(const MrtWriter& w) {
  auto r = parse(w);
  INFO((r ? std::string() : r.error()));
  REQUIRE(r.ok());
  return *r;
}

// The origin a one-entry TABLE_DUMP_V2 record with this AS_PATH gets, 0 when dropped.
std::uint32_t origin_of(std::vector<asncounter::test::AsSegment> path) {
  MrtWriter w;
  RibEntry e;
  e.as_path = std::move(path);
  w.rib(pfx("192.0.2.0/24"), {e});
  auto set = parse_ok(w);
  return set.routes.empty() ? 0 : set.routes[0].asn;
}

}  // namespace

TEST_CASE("TABLE_DUMP_V2 IPv4 and IPv6 RIBs become routes, in plain, gzip and bzip2", "[mrt]") {
  MrtWriter w(1400824800);
  w.peer_index_table(2);
  w.set_timestamp(1400824801);
  w.rib(pfx("192.0.2.0/24"), {path_entry({64500, 64501, 64496}), path_entry({64502, 64497}, 1)});
  w.rib(pfx("198.51.100.0/22"), {path_entry({64500, 64497})});
  w.rib(pfx("198.51.100.128/25"), {path_entry({64500, 64498})});
  w.rib(pfx("2001:db8::/32"), {path_entry({64500, 65536})});
  w.rib(pfx("2001:db8:8000::/33"), {path_entry({64500, 65551})});
  const std::map<std::string, std::uint32_t> want{{"192.0.2.0/24", 64496},
                                                  {"198.51.100.0/22", 64497},
                                                  {"198.51.100.128/25", 64498},
                                                  {"2001:db8::/32", 65536},
                                                  {"2001:db8:8000::/33", 65551}};
  TempDir dir;
  for (Packing p : {Packing::plain, Packing::gzip, Packing::bzip2}) {
    // The names lie on purpose: the reader goes by content.
    std::string path = (dir / ("rib" + std::to_string(static_cast<int>(p)) + ".mrt")).string();
    asncounter::test::write_packed(path, w.bytes(), p);
    auto set = asncounter::read_mrt_file(path);
    INFO(path << (set ? "" : set.error()));
    REQUIRE(set.ok());
    CHECK(mapping(*set) == want);
    CHECK(set->records == 6);
    CHECK(set->skipped_records == 0);
    CHECK(set->dropped_routes == 0);
    CHECK(set->info.dump_time == 1400824800);  // the PEER_INDEX_TABLE's
    CHECK(set->info.format == asncounter::TableFormat::mrt);
    CHECK(set->info.source == path);
  }
}

TEST_CASE("The origin follows pyasn's rules for AS_SEQUENCE, AS_SET and bogus ASNs", "[mrt]") {
  CHECK(origin_of({as_seq({64500, 3356, 15169})}) == 15169);
  // Walking back over bogus ASNs: 0, private use, reserved, >= 1,000,000.
  CHECK(origin_of({as_seq({3356, 15169, 64512})}) == 15169);
  CHECK(origin_of({as_seq({3356, 15169, 65535, 0})}) == 15169);
  CHECK(origin_of({as_seq({3356, 15169, 65552, 131071})}) == 15169);
  CHECK(origin_of({as_seq({3356, 15169, 1000000, 4200000000U, 4294967295U})}) == 15169);
  CHECK(origin_of({as_seq({3356, 999999})}) == 999999);
  CHECK(origin_of({as_seq({3356, 131072})}) == 131072);
  // Deliberate difference: RFC 5398 documentation ASNs are origins.
  CHECK(origin_of({as_seq({3356, 64496})}) == 64496);
  CHECK(origin_of({as_seq({3356, 64511})}) == 64511);
  CHECK(origin_of({as_seq({3356, 65536})}) == 65536);
  CHECK(origin_of({as_seq({3356, 65551})}) == 65551);
  // AS_SET: the lowest non-bogus member (pyasn: an arbitrary one).
  CHECK(origin_of({as_seq({3356, 174}), as_set({8111, 7860, 64512, 26677, 271})}) == 271);
  // A segment of only bogus ASNs hands over to the one before it.
  CHECK(origin_of({as_seq({3356, 174}), as_set({64512, 65000})}) == 174);
  CHECK(origin_of({as_seq({3356, 174}), as_seq({64512}), as_set({0})}) == 174);
  CHECK(origin_of({as_seq({3356}), as_set({2914, 1299}), as_seq({65001})}) == 1299);
  // Confederation segments never give the origin.
  CHECK(origin_of({as_seq({3356, 174}), {asncounter::test::kAsConfedSequence, {65001, 64497}}}) == 174);
  CHECK(origin_of({as_seq({3356, 174}), {asncounter::test::kAsConfedSet, {64497}}}) == 174);
}

TEST_CASE("Records without a usable origin are dropped and counted, later records may supply it", "[mrt]") {
  MrtWriter w;
  RibEntry no_path;
  no_path.with_as_path = false;
  RibEntry empty_path;
  w.rib(pfx("192.0.2.0/24"), {no_path, path_entry({3356, 15169})});  // only the first entry counts
  w.rib(pfx("198.51.100.0/24"), {empty_path, path_entry({3356, 15169})});
  w.rib(pfx("203.0.113.0/24"), {path_entry({64512, 65000})});  // only bogus ASNs
  w.rib(pfx("203.0.113.0/25"), {});                            // no entries at all
  w.rib(pfx("0.0.0.0/0"), {path_entry({3356, 15169})});        // default routes never count
  w.rib(pfx("::/0"), {path_entry({3356, 15169})});
  w.rib(pfx("203.0.113.0/24"), {path_entry({3356, 64499})});  // a repeat that now has an origin
  auto set = parse_ok(w);
  CHECK(mapping(set) == std::map<std::string, std::uint32_t>{{"203.0.113.0/24", 64499}});
  CHECK(set.dropped_routes == 6);
  CHECK(set.records == 7);
}

TEST_CASE("The first record of a prefix wins, and only its first RIB entry", "[mrt]") {
  MrtWriter w;
  w.rib(pfx("192.0.2.0/24"), {path_entry({3356, 64496}), path_entry({174, 64497}, 1)});
  w.rib(pfx("192.0.2.0/24"), {path_entry({3356, 64498})});
  w.table_dump(pfx("198.51.100.0/24"), path_entry({3356, 64499}));
  w.table_dump(pfx("198.51.100.0/24"), path_entry({174, 64500}));
  // Host bits in the dump are cleared, so this is the same prefix again.
  w.table_dump(asncounter::Prefix{asncounter::parse_address("198.51.100.7").value(), 24},
               path_entry({174, 64501}));
  auto set = parse_ok(w);
  CHECK(mapping(set) ==
        std::map<std::string, std::uint32_t>{{"192.0.2.0/24", 64496}, {"198.51.100.0/24", 64499}});
  CHECK(set.routes.size() == 2);
}

TEST_CASE("TABLE_DUMP v1 reads IPv4 and IPv6 with 2-byte AS paths", "[mrt]") {
  MrtWriter w(1199145600);
  w.table_dump(pfx("192.0.2.0/24"), path_entry({701, 64496}));
  w.table_dump(pfx("2001:db8:1::/48"), path_entry({701, 6939, 64497}));
  w.table_dump(pfx("203.0.113.0/24"), RibEntry{{as_seq({701}), as_set({64499, 64498})}, true, {}, 0, 0});
  auto set = parse_ok(w);
  CHECK(mapping(set) == std::map<std::string, std::uint32_t>{
                            {"192.0.2.0/24", 64496}, {"2001:db8:1::/48", 64497}, {"203.0.113.0/24", 64498}});
  CHECK(set.info.dump_time == 1199145600);
}

TEST_CASE("AS_TRANS in a 2-byte AS_PATH gives way to the AS4_PATH origin", "[mrt]") {
  MrtWriter w;
  RibEntry trans = path_entry({701, 3356, asncounter::kAsTrans});
  trans.as4_path = {as_seq({3356, 196608})};
  w.table_dump(pfx("192.0.2.0/24"), trans);
  // AS4_PATH longer than AS_PATH: ignored (RFC 6793 4.2.3), AS_TRANS stays.
  RibEntry too_long = path_entry({701, asncounter::kAsTrans});
  too_long.as4_path = {as_seq({1299, 3356, 196609})};
  w.table_dump(pfx("198.51.100.0/24"), too_long);
  // Without AS_TRANS at the end, AS4_PATH is not consulted (as pyasn).
  RibEntry plain = path_entry({701, 64496});
  plain.as4_path = {as_seq({196610})};
  w.table_dump(pfx("203.0.113.0/24"), plain);
  // TABLE_DUMP_V2 paths are 4-byte already: AS_TRANS there is taken at its word.
  RibEntry v2 = path_entry({701, asncounter::kAsTrans});
  v2.as4_path = {as_seq({196611})};
  w.rib(pfx("203.0.113.0/25"), {v2});
  auto set = parse_ok(w);
  CHECK(mapping(set) == std::map<std::string, std::uint32_t>{{"192.0.2.0/24", 196608},
                                                             {"198.51.100.0/24", asncounter::kAsTrans},
                                                             {"203.0.113.0/24", 64496},
                                                             {"203.0.113.0/25", asncounter::kAsTrans}});
}

TEST_CASE("RFC 8050 ADD-PATH RIB records read like the plain ones", "[mrt]") {
  MrtWriter w;
  w.peer_index_table(2);
  RibEntry a = path_entry({3356, 64496});
  a.path_id = 7;
  RibEntry b = path_entry({174, 64497}, 1);
  b.path_id = 8;
  w.rib(pfx("192.0.2.0/24"), {a, b}, true);
  w.rib(pfx("2001:db8::/32"), {b, a}, true);
  auto set = parse_ok(w);
  CHECK(mapping(set) ==
        std::map<std::string, std::uint32_t>{{"192.0.2.0/24", 64496}, {"2001:db8::/32", 64497}});
  CHECK(set.skipped_records == 0);
}

TEST_CASE("Long AS paths (extended-length attributes) and records larger than the read buffer", "[mrt]") {
  MrtWriter w;
  std::vector<std::uint32_t> path(200, 3356);
  path.back() = 64496;
  RibEntry long_path;
  long_path.as_path = {as_seq(path), as_seq(path)};  // 1,600 bytes: extended length
  std::vector<RibEntry> many(1400, long_path);       // over 2 MB in one record
  many[0] = path_entry({3356, 64497});
  w.rib(pfx("192.0.2.0/24"), many);
  w.rib(pfx("198.51.100.0/24"), {long_path});
  REQUIRE(w.bytes().size() > (2U << 20));
  TempDir dir;
  asncounter::test::write_packed((dir / "big.mrt").string(), w.bytes(), Packing::gzip);
  auto set = asncounter::read_mrt_file((dir / "big.mrt").string());
  REQUIRE(set.ok());
  CHECK(mapping(*set) ==
        std::map<std::string, std::uint32_t>{{"192.0.2.0/24", 64497}, {"198.51.100.0/24", 64496}});
}

TEST_CASE("Unknown record types and subtypes are skipped and counted", "[mrt]") {
  MrtWriter w;
  const std::vector<unsigned char> junk{1, 2, 3, 4, 5};
  w.record(16, 4, junk);                 // BGP4MP message
  w.record(mrt::kTableDumpV2, 3, junk);  // RIB_IPV4_MULTICAST
  w.record(mrt::kTableDumpV2, 6, junk);  // RIB_GENERIC
  w.record(mrt::kTableDump, 9, junk);    // no such AFI
  w.record(99, 0, {});
  w.rib(pfx("192.0.2.0/24"), {path_entry({3356, 64496})});
  auto set = parse_ok(w);
  CHECK(set.skipped_records == 5);
  CHECK(set.records == 6);
  CHECK(set.routes.size() == 1);
}

TEST_CASE("A dump cut anywhere inside a record is an error naming the file and the offset", "[mrt]") {
  MrtWriter w;
  w.peer_index_table(1);
  std::vector<std::size_t> boundaries{0, w.bytes().size()};
  w.rib(pfx("192.0.2.0/24"), {path_entry({3356, 64496})});
  boundaries.push_back(w.bytes().size());
  w.table_dump(pfx("2001:db8::/32"), path_entry({3356, 64497}));
  boundaries.push_back(w.bytes().size());
  const auto& all = w.bytes();
  for (std::size_t cut = 0; cut <= all.size(); ++cut) {
    INFO("cut at " << cut);
    auto r = asncounter::read_mrt(std::span(all.data(), cut), "cut.mrt");
    auto last = std::upper_bound(boundaries.begin(), boundaries.end(), cut) - 1;
    if (*last == cut) {
      REQUIRE(r.ok());  // a record boundary: MRT has no trailer to tell
      CHECK(r->records == static_cast<std::size_t>(last - boundaries.begin()));
    } else {
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().find("cut.mrt") != std::string::npos);
      CHECK(r.error().find("truncated MRT record at byte offset " + std::to_string(*last)) !=
            std::string::npos);
    }
  }
}

TEST_CASE("Corrupt lengths are errors naming the offset of the bad record", "[mrt]") {
  MrtWriter good;
  good.rib(pfx("192.0.2.0/24"), {path_entry({3356, 64496})});
  const std::size_t at = good.bytes().size();
  const std::string where = "byte offset " + std::to_string(at);
  auto corrupt_record = [&](std::uint16_t type, std::uint16_t subtype, std::vector<unsigned char> body) {
    MrtWriter w = good;
    w.record(type, subtype, body);
    return parse(w);
  };
  // A RIB record for 198.51.100.0/24 with one entry whose attributes are an AS_PATH.
  auto rib_body = [](unsigned prefix_len, unsigned count, unsigned attr_len,
                     std::vector<unsigned char> attrs) {
    // Sized once and copied into: g++ 12 at -O3 takes vector::insert's
    // reallocation here for an overread (-Wstringop-overread, a false positive).
    std::vector<unsigned char> b(18 + attrs.size(), 0);
    b[3] = 1;  // sequence number
    b[4] = static_cast<unsigned char>(prefix_len);
    b[5] = 198;
    b[6] = 51;
    b[7] = 100;
    b[9] = static_cast<unsigned char>(count);
    b[17] = static_cast<unsigned char>(attr_len);  // after peer index and originated time
    std::copy(attrs.begin(), attrs.end(), b.begin() + 18);
    return b;
  };
  const std::vector<unsigned char> as_path{0x40, 2, 6, 2, 1, 0, 0, 0xfb, 0xf0};  // AS_SEQUENCE {64496}
  auto ok = corrupt_record(mrt::kTableDumpV2, mrt::kRibIpv4Unicast, rib_body(24, 1, 9, as_path));
  INFO((ok ? "" : ok.error()));
  REQUIRE(ok.ok());  // the hand-made record itself is well-formed
  CHECK(ok->routes.size() == 2);

  struct Case {
    const char* what;
    std::vector<unsigned char> body;
    const char* says;
  };
  std::vector<Case> cases{
      {"prefix length 33", rib_body(33, 1, 9, as_path), "prefix length"},
      {"two entries, one written", rib_body(24, 2, 9, as_path), "RIB entry header overruns"},
      {"attribute length past the record", rib_body(24, 1, 10, as_path), "overrun"},
      {"bytes after the last entry", rib_body(24, 1, 8, as_path), "bytes left"},
      {"AS_PATH attribute longer than its entry", rib_body(24, 1, 9, {0x40, 2, 7, 2, 1, 0, 0, 0xfb, 0xf0}),
       "malformed path attributes"},
      {"segment longer than its AS_PATH", rib_body(24, 1, 9, {0x40, 2, 6, 2, 2, 0, 0, 0xfb, 0xf0}),
       "malformed path attributes"},
      {"record too short for its prefix", {0, 0, 0, 1, 24, 198}, "prefix overruns"},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    auto r = corrupt_record(mrt::kTableDumpV2, mrt::kRibIpv4Unicast, c.body);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().find("fixture.mrt") != std::string::npos);
    CHECK(r.error().find(where) != std::string::npos);
    CHECK(r.error().find(c.says) != std::string::npos);
  }
  auto short_td1 = corrupt_record(mrt::kTableDump, mrt::kAfiIpv4, {0, 0, 0, 1, 192, 0, 2, 0, 24});
  REQUIRE_FALSE(short_td1.ok());
  CHECK(short_td1.error().find(where) != std::string::npos);

  // A header announcing gigabytes is corrupt, not a reason to allocate them.
  MrtWriter huge = good;
  std::vector<unsigned char> header{0, 0, 0, 1, 0, 13, 0, 2, 0xf0, 0, 0, 0};
  std::vector<unsigned char> bytes = huge.bytes();
  bytes.insert(bytes.end(), header.begin(), header.end());
  auto r = asncounter::read_mrt(std::span<const unsigned char>(bytes), "huge.mrt");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().find("implausible length") != std::string::npos);
  CHECK(r.error().find(where) != std::string::npos);
}

TEST_CASE("The real truncated RouteViews downloads are errors naming the file and offset",
          "[mrt][shared-data]") {
  for (const char* name : {"rib.20140523.0600_firstMB.bz2", "rib6.20151101.0600_firstMB.bz2"}) {
    INFO(name);
    auto path = asncounter::test::shared_data(name);
    if (!path) ASNCOUNTER_SKIP(asncounter::test::missing_data_message(name));
    auto r = asncounter::read_mrt_file(path->string());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().find(path->string()) != std::string::npos);
    CHECK(r.error().find("truncated") != std::string::npos);
    CHECK(r.error().find("byte offset") != std::string::npos);
  }
}

TEST_CASE("The real whole RouteViews extracts give pyasn's prefix counts", "[mrt][shared-data]") {
  struct Case {
    const char* name;
    std::size_t v4, v6;
    std::int64_t dump_time;
  };
  for (auto c : {Case{"rib.20140523.0600_firstMB_whole.mrt.bz2", 9068, 0, 1400824800},
                 Case{"rib6.20151101.0600_firstMB_whole.mrt.bz2", 0, 6869, 1446357600}}) {
    INFO(c.name);
    auto path = asncounter::test::shared_data(c.name);
    if (!path) ASNCOUNTER_SKIP(asncounter::test::missing_data_message(c.name));
    auto r = asncounter::read_mrt_file(path->string());
    INFO((r ? "" : r.error()));
    REQUIRE(r.ok());
    std::size_t v4 = 0;
    for (const auto& route : r->routes) v4 += route.prefix.addr.is_v4() ? 1 : 0;
    CHECK(v4 == c.v4);
    CHECK(r->routes.size() - v4 == c.v6);
    CHECK(r->info.dump_time == c.dump_time);
    CHECK(r->skipped_records == 0);
  }
}
