#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "common/table/table_cache.hpp"
#include "common/table/table_file.hpp"
#include "common/xxh64.hpp"
#include "tests/support/addresses.hpp"
#include "tests/support/tables.hpp"
#include "tests/support/test_support.hpp"

using asncounter::Address;
using asncounter::LpmTable;
using asncounter::SourceStamp;
using asncounter::test::TempDir;
namespace fs = std::filesystem;

namespace {

using asncounter::test::addr;

// A cache file's bytes at a 64-byte boundary, as a mapping would hold them.
struct Aligned {
  std::shared_ptr<unsigned char[]> mem;
  std::size_t size;
  explicit Aligned(const std::vector<unsigned char>& bytes)
      : mem(static_cast<unsigned char*>(std::aligned_alloc(64, (bytes.size() + 63) / 64 * 64 + 64)),
            std::free),
        size(bytes.size()) {
    if (!bytes.empty()) std::memcpy(mem.get(), bytes.data(), bytes.size());  // data() may be null
  }
  std::span<const unsigned char> span() const { return {mem.get(), size}; }
};

auto from_bytes(const std::vector<unsigned char>& bytes, const SourceStamp* expect = nullptr) {
  Aligned a(bytes);
  return asncounter::table_from_cache_bytes(a.span(), a.mem, expect);
}

// Byte offsets of the header (the layout of table_cache.cpp, version 1).
constexpr std::size_t kVersionAt = 16;
constexpr std::size_t kSectionsAt = 88;
enum { kRuns = 5, kV6Top = 9 };

std::uint64_t u64_at(const std::vector<unsigned char>& b, std::size_t at) {
  std::uint64_t v;
  std::memcpy(&v, b.data() + at, sizeof v);
  return v;
}

void put_u32(std::vector<unsigned char>& b, std::size_t at, std::uint32_t v) {
  std::memcpy(b.data() + at, &v, 4);
}

void repair_checksum(std::vector<unsigned char>& b) {
  std::uint64_t sum = asncounter::table_cache_checksum(b);
  std::memcpy(b.data() + asncounter::kTableCacheChecksumOffset, &sum, sizeof sum);
}

// Addresses that probe every prefix (its first, last and one past its last
// address) plus random ones of both families.
std::vector<Address> probes(const LpmTable& t, std::size_t random) {
  std::vector<Address> out;
  for (asncounter::PrefixId id = 1; id <= t.prefix_count(); ++id) {
    auto p = t.prefix(id);
    out.push_back(p.addr);
    if (p.addr.family == asncounter::Family::v4) {
      std::uint32_t last = p.addr.v4 | (p.len >= 32 ? 0U : ~0U >> p.len);
      out.push_back(Address::from_v4(last));
      out.push_back(Address::from_v4(last + 1));
    }
  }
  std::mt19937_64 rng(42);
  for (std::size_t i = 0; i < random; ++i) {
    out.push_back(Address::from_v4(static_cast<std::uint32_t>(rng())));
    out.push_back(Address::from_v6({0x2000000000000000ULL | (rng() >> 3), rng()}));
  }
  return out;
}

// Same prefixes with the same ids and origins, and the same answer for
// every probe, single and batched.
void require_same(const LpmTable& a, const LpmTable& b, std::size_t random = 20000) {
  REQUIRE(a.prefix_count() == b.prefix_count());
  REQUIRE(a.v4_prefix_count() == b.v4_prefix_count());
  auto ra = a.routes();
  auto rb = b.routes();
  std::size_t routes_differ = 0;
  for (std::size_t i = 0; i < ra.size(); ++i)
    routes_differ += !(ra[i].prefix == rb[i].prefix) || ra[i].asn != rb[i].asn;
  REQUIRE(routes_differ == 0);
  auto in = probes(a, random);
  std::vector<asncounter::PrefixId> ia(in.size()), ib(in.size());
  a.lookup_ids(in, ia);
  b.lookup_ids(in, ib);
  REQUIRE(ia == ib);
  std::size_t differ = 0;
  for (const auto& x : in) differ += a.lookup_id(x) != b.lookup_id(x);
  REQUIRE(differ == 0);
}

std::shared_ptr<const LpmTable> small_table() {
  return asncounter::test::table_of({{"192.0.2.0/24", 64496},
                                     {"198.51.100.0/22", 64497},
                                     {"198.51.100.128/25", 64498},
                                     {"198.51.100.130/31", 64499},
                                     {"10.0.0.0/8", 64500},
                                     {"2001:db8::/32", 64501},
                                     {"2001:db8:1::/48", 64502},
                                     {"2001:db8:1:2::/64", 64503}});
}

SourceStamp stamp() { return SourceStamp{"/var/lib/x/rib.bz2", 1234, 5678}; }

void write_file(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

}  // namespace

TEST_CASE("xxh64 matches the reference vectors", "[table_cache]") {
  auto h = [](const std::string& s) {
    return asncounter::xxh64({reinterpret_cast<const unsigned char*>(s.data()), s.size()});
  };
  CHECK(h("") == 0xEF46DB3751D8E999ULL);
  CHECK(h("a") == 0xD24EC4F1A98C6E5BULL);
  CHECK(h("abc") == 0x44BC2CF5AD770999ULL);
  CHECK(h("Nobody inspects the spammish repetition") == 0xFBCEA83C8A378BF1ULL);
}

TEST_CASE("a table cache reads back as the table it was made from", "[table_cache]") {
  auto t = small_table();
  auto bytes = asncounter::table_cache_bytes(*t, stamp());
  SourceStamp s = stamp();
  auto back = from_bytes(bytes, &s);
  REQUIRE(back);
  require_same(*t, **back);
  CHECK((*back)->info().source == s.name);
  CHECK((*back)->lookup(addr("198.51.100.131"))->asn == 64499);
  CHECK((*back)->lookup(addr("2001:db8:1:2::9"))->asn == 64503);
  CHECK((*back)->as_prefixes(64497).size() == 1);
  auto empty = asncounter::table_cache_bytes(*LpmTable::empty(), stamp());
  auto empty_back = from_bytes(empty);
  REQUIRE(empty_back);
  CHECK((*empty_back)->prefix_count() == 0);
}

TEST_CASE("a table cache of another source, version or content is refused", "[table_cache]") {
  auto bytes = asncounter::table_cache_bytes(*small_table(), stamp());
  SourceStamp other = stamp();
  SECTION("another source") {
    other.mtime_ns += 1;
    CHECK(from_bytes(bytes, &other).error() == "made from another version of the source");
    other = stamp();
    other.size += 1;
    CHECK_FALSE(from_bytes(bytes, &other));
    other = stamp();
    other.name += "x";
    CHECK_FALSE(from_bytes(bytes, &other));
    other = stamp();
    other.inode += 1;
    CHECK_FALSE(from_bytes(bytes, &other));
    other = stamp();
    other.ctime_ns += 1;
    CHECK_FALSE(from_bytes(bytes, &other));
  }
  SECTION("another version") {
    put_u32(bytes, kVersionAt, 99);
    repair_checksum(bytes);
    CHECK(from_bytes(bytes, &other).error() == "written by another version");
  }
  SECTION("any flipped bit") {
    // Densely through the header and section table, then ~128 places over
    // the arrays (each try copies and checksums the whole 4.7 MB file: a
    // flip every 997 bytes took minutes under ASan).
    std::vector<std::size_t> places;
    for (std::size_t at = 0; at < std::min<std::size_t>(bytes.size(), 1024); at += 7) places.push_back(at);
    for (std::size_t at = 1024; at < bytes.size(); at += std::max<std::size_t>(997, bytes.size() / 128))
      places.push_back(at);
    for (std::size_t at : places) {
      auto bad = bytes;
      bad[at] ^= 0x10;
      CHECK_FALSE(from_bytes(bad, &other));
    }
  }
  SECTION("any truncation") {
    for (std::size_t len :
         {std::size_t{0}, std::size_t{7}, std::size_t{100}, bytes.size() / 2, bytes.size() - 1}) {
      std::vector<unsigned char> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(len));
      CHECK_FALSE(from_bytes(cut, &other));
    }
  }
  SECTION("an index out of bounds, checksum repaired") {
    // A run naming a prefix id past the end: counters would be written out
    // of bounds.
    auto runs_at = u64_at(bytes, kSectionsAt + 16 * kRuns);
    REQUIRE(u64_at(bytes, kSectionsAt + 16 * kRuns + 8) > 0);
    put_u32(bytes, runs_at, 999);
    repair_checksum(bytes);
    CHECK(from_bytes(bytes).error() == "bad IPv4 answer");
  }
  SECTION("an IPv6 node that loops, checksum repaired") {
    auto top_at = u64_at(bytes, kSectionsAt + 16 * kV6Top);
    put_u32(bytes, top_at, 0);                // begin 0
    put_u32(bytes, top_at + 4, 0x80000001U);  // a child of 2 entries
    auto nodes_at = u64_at(bytes, kSectionsAt + 16 * (kV6Top + 1));
    if (u64_at(bytes, kSectionsAt + 16 * (kV6Top + 1) + 8) >= 2) {
      put_u32(bytes, nodes_at, 0);  // node 0 points at itself
      put_u32(bytes, nodes_at + 4, 0x80000001U);
    }
    repair_checksum(bytes);
    CHECK_FALSE(from_bytes(bytes));
  }
  SECTION("a prefix limit below the cache's count") {
    Aligned a(bytes);
    asncounter::TableLimits limits;
    limits.max_prefixes = 3;
    CHECK_FALSE(asncounter::table_from_cache_bytes(a.span(), a.mem, nullptr, limits));
  }
}

TEST_CASE("load_table_cached parses once, then maps, and rebuilds for a changed source", "[table_cache]") {
  TempDir dir;
  fs::create_directory(dir / "cache");
  std::string cache = (dir / "cache").string();
  std::string db = (dir / "t.dat").string();
  write_file(db, "; ipasn\n192.0.2.0/24\t64496\n2001:db8::/32\t64497\n");

  auto first = asncounter::load_table_cached(db, cache);
  REQUIRE(first);
  CHECK_FALSE(first->from_cache);
  CHECK(first->note.empty());
  auto second = asncounter::load_table_cached(db, cache);
  REQUIRE(second);
  CHECK(second->from_cache);
  CHECK(second->note.empty());
  CHECK(second->table->info().source == db);
  CHECK(second->table->info().format == asncounter::TableFormat::ipasn);
  require_same(*first->table, *second->table, 1000);

  // A new dump under the same name: the cache no longer matches.
  write_file(db, "; ipasn\n192.0.2.0/24\t64499\n2001:db8::/32\t64497\n198.51.100.0/24\t1\n");
  auto third = asncounter::load_table_cached(db, cache);
  REQUIRE(third);
  CHECK_FALSE(third->from_cache);
  CHECK(third->note.find("ignored (made from another version of the source), rebuilt") != std::string::npos);
  CHECK(third->table->lookup(addr("192.0.2.1"))->asn == 64499);
  auto fourth = asncounter::load_table_cached(db, cache);
  REQUIRE(fourth);
  CHECK(fourth->from_cache);
  CHECK(fourth->table->lookup(addr("192.0.2.1"))->asn == 64499);

  // A damaged cache: ignored with its reason, rewritten.
  auto file = fs::path(cache) / asncounter::table_cache_name(*asncounter::stamp_source(db));
  {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    auto at = static_cast<std::streamoff>(fs::file_size(file) - 3);
    f.seekg(at);
    char c = static_cast<char>(f.get());
    f.seekp(at);
    f.put(static_cast<char>(c ^ 0x5a));
  }
  auto fifth = asncounter::load_table_cached(db, cache);
  REQUIRE(fifth);
  CHECK_FALSE(fifth->from_cache);
  CHECK(fifth->note.find("checksum mismatch") != std::string::npos);
  CHECK(asncounter::load_table_cached(db, cache)->from_cache);

  // No cache directory: no cache, nothing to say.
  auto none = asncounter::load_table_cached(db, (dir / "missing").string());
  REQUIRE(none);
  CHECK_FALSE(none->from_cache);
  CHECK(none->note.empty());
  CHECK_FALSE(fs::exists(dir / "missing"));
  // One that cannot be written: parsed, and the note says why.
  if (::geteuid() != 0) {
    fs::create_directory(dir / "ro");
    fs::permissions(dir / "ro", fs::perms::owner_read | fs::perms::owner_exec);
    auto ro = asncounter::load_table_cached(db, (dir / "ro").string());
    REQUIRE(ro);
    CHECK(ro->note.find("table cache not written") != std::string::npos);
  }
}

// Issue 27: a table replaced by one of the same size and modification time
// (`cp -p`, or a rename over it) was answered from the old cache.
TEST_CASE("a table replaced with cp -p keeping size and mtime is loaded, not the cached one",
          "[table_cache][adversarial]") {
  TempDir dir;
  fs::create_directory(dir / "cache");
  const std::string cache = (dir / "cache").string();
  const std::string db = (dir / "t.dat").string();
  const std::string other = (dir / "other.dat").string();
  const std::string renamed = (dir / "renamed.dat").string();
  write_file(db, "; ipasn\n192.0.2.0/24\t64496\n");
  write_file(other, "; ipasn\n192.0.2.0/24\t64497\n");
  write_file(renamed, "; ipasn\n192.0.2.0/24\t64498\n");
  REQUIRE(fs::file_size(db) == fs::file_size(other));
  const auto mtime = fs::last_write_time(db);
  fs::last_write_time(other, mtime);
  fs::last_write_time(renamed, mtime);
  REQUIRE_FALSE(asncounter::load_table_cached(db, cache)->from_cache);
  REQUIRE(asncounter::load_table_cached(db, cache)->from_cache);

  // cp -p: the same file (inode) rewritten, its size and mtime as before.
  REQUIRE(std::system(("cp -p '" + other + "' '" + db + "'").c_str()) == 0);
  REQUIRE(fs::last_write_time(db) == mtime);
  auto copied = asncounter::load_table_cached(db, cache);
  REQUIRE(copied);
  CHECK_FALSE(copied->from_cache);
  CHECK(copied->table->lookup(addr("192.0.2.1"))->asn == 64497);
  CHECK(asncounter::load_table_cached(db, cache)->from_cache);

  // A file of the same size and mtime renamed over it: another inode.
  fs::rename(renamed, db);
  auto moved = asncounter::load_table_cached(db, cache);
  REQUIRE(moved);
  CHECK_FALSE(moved->from_cache);
  CHECK(moved->table->lookup(addr("192.0.2.1"))->asn == 64498);
}

TEST_CASE("the table cache never follows a link", "[table_cache]") {
  TempDir dir;
  fs::create_directory(dir / "cache");
  std::string cache = (dir / "cache").string();
  std::string db = (dir / "t.dat").string();
  write_file(db, "; ipasn\n192.0.2.0/24\t64496\n");
  REQUIRE(asncounter::load_table_cached(db, cache));
  auto name = asncounter::table_cache_name(*asncounter::stamp_source(db));
  auto file = fs::path(cache) / name;
  REQUIRE(fs::is_regular_file(file));
  // Someone swaps the cache for a link to a valid cache elsewhere: not read,
  // and the rewrite replaces the link, leaving its target alone.
  fs::rename(file, dir / "elsewhere");
  fs::create_symlink(dir / "elsewhere", file);
  auto size = fs::file_size(dir / "elsewhere");
  auto again = asncounter::load_table_cached(db, cache);
  REQUIRE(again);
  CHECK_FALSE(again->from_cache);
  CHECK_FALSE(again->note.empty());
  CHECK_FALSE(fs::is_symlink(file));
  CHECK(fs::file_size(dir / "elsewhere") == size);
  // A link planted at the temporary name is replaced, not written through.
  auto part = fs::path(cache) / ("." + name + "." + std::to_string(::getpid()) + ".part");
  write_file(dir / "victim", "keep");
  fs::create_symlink(dir / "victim", part);
  REQUIRE(asncounter::write_table_cache(cache, *asncounter::stamp_source(db), *again->table));
  CHECK(fs::file_size(dir / "victim") == 4);
  CHECK_FALSE(fs::exists(fs::symlink_status(part)));
}

TEST_CASE("the table cache keeps the newest few files", "[table_cache]") {
  TempDir dir;
  fs::create_directory(dir / "cache");
  std::string cache = (dir / "cache").string();
  for (int i = 0; i < 7; ++i) {
    std::string db = (dir / ("t" + std::to_string(i) + ".dat")).string();
    write_file(db, "; ipasn\n192.0.2.0/24\t64496\n");
    REQUIRE(asncounter::load_table_cached(db, cache));
  }
  std::size_t caches = 0;
  for (const auto& e : fs::directory_iterator(dir / "cache"))
    caches += e.path().string().ends_with(".table-cache");
  CHECK(caches == 4);
}

TEST_CASE("the shared tables read back from their cache as they were built", "[table_cache][data]") {
  for (const char* name :
       {"ipasn6_20151101.dat.gz", "ipasn_20140513.dat.gz", "rib.20140523.0600_firstMB_whole.mrt.bz2",
        "rib6.20151101.0600_firstMB_whole.mrt.bz2"}) {
    auto path = asncounter::test::shared_data(name);
    if (!path) ASNCOUNTER_SKIP(asncounter::test::missing_data_message(name));
    TempDir dir;
    auto built = asncounter::load_table_cached(path->string(), dir.path().string());
    REQUIRE(built);
    REQUIRE_FALSE(built->from_cache);
    INFO(built->note);
    REQUIRE(built->note.empty());
    auto mapped = asncounter::load_table_cached(path->string(), dir.path().string());
    REQUIRE(mapped);
    REQUIRE(mapped->from_cache);
    CHECK(mapped->table->info().dump_time == built->table->info().dump_time);
    CHECK(mapped->table->info().format == built->table->info().format);
    require_same(*built->table, *mapped->table, 200000);
  }
}
