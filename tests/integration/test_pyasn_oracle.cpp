// pyasn as the oracle (issue 3, "Done when"): for every table source, our
// convert gives pyasn_util_convert.py's prefix -> ASN mapping and our lookups
// of >= 20,000 seeded random addresses give pyasn.lookup()'s answers, except
// for the deliberate differences of DESIGN.md, which are asserted explicitly.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "common/table/ipasn.hpp"
#include "common/table/table_file.hpp"
#include "ctl/offline.hpp"
#include "tests/support/addresses.hpp"
#include "tests/support/test_support.hpp"
#include "tests/tools/mrt_writer.hpp"

using asncounter::Address;
using asncounter::Prefix;
using asncounter::test::MrtWriter;
using asncounter::test::Packing;
using asncounter::test::RibEntry;
using asncounter::test::TempDir;

namespace {

const char* kOracle = R"PY(
import sys, pyasn
from pyasn import mrtx
mode, args = sys.argv[1], sys.argv[2:]
if mode == 'sets':  # MRT OUT: the origin or AS_SET members mrtx.parse_mrt_file (the converter's parser) gives
    with open(args[1], 'w') as out:
        for prefix, origin in mrtx.parse_mrt_file(args[0]).items():
            if isinstance(origin, set):
                origin = ','.join(str(a) for a in sorted(origin))
            out.write('%s\t%s\n' % (prefix, origin))
elif mode == 'lookup':  # IPASN ADDRS OUT [TABLE_OUT]
    db = pyasn.pyasn(args[0])
    with open(args[1]) as addrs, open(args[2], 'w') as out:
        for line in addrs:
            ip = line.strip()
            asn, prefix = db.lookup(ip)
            out.write('%s\t%s\t%s\n' % (ip, asn, prefix))
    if len(args) > 3:
        with open(args[3], 'w') as out:
            for node in db:
                out.write('%s\t%s\n' % (node.prefix, node.asn))
)PY";

const char* kConverter = "/usr/bin/pyasn_util_convert.py";

std::optional<std::string> pyasn_missing() {
  if (!std::filesystem::exists(kConverter) ||
      asncounter::test::run_command("/usr/bin/python3 -c 'import pyasn' 2>/dev/null").status != 0) {
    return "needs python3-pyasn (/usr/bin/python3, /usr/bin/pyasn_util_convert.py) as the oracle";
  }
  return std::nullopt;
}

using asncounter::test::pfx;

void run(const std::string& command) {
  auto r = asncounter::test::run_command(command + " 2>&1");
  INFO(command << "\n" << r.out);
  REQUIRE(r.status == 0);
}

// "prefix<TAB>value" lines (ipasn files, oracle output); ';' comments skipped.
std::map<Prefix, std::string> read_mapping(const std::string& path) {
  std::map<Prefix, std::string> m;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == ';') continue;
    auto tab = line.find('\t');
    REQUIRE(tab != std::string::npos);
    m.emplace(pfx(line.substr(0, tab)), line.substr(tab + 1));
  }
  return m;
}

std::vector<std::uint32_t> members(const std::string& value) {
  std::vector<std::uint32_t> out;
  std::stringstream s(value);
  std::string item;
  while (std::getline(s, item, ',')) out.push_back(static_cast<std::uint32_t>(std::stoul(item)));
  return out;
}

// Oracle results for one source.
struct Oracle {
  std::map<Prefix, std::string> mapping;  ///< the converter's prefix -> ASN
  std::map<Prefix, std::string> sets;     ///< mrtx's origin, "a,b,c" for AS_SETs (MRT only)
  std::vector<std::string> lookups;       ///< "ip<TAB>asn<TAB>prefix" per address
};

// Half uniform, half inside announced prefixes, those with more-specifics first.
std::vector<Address> sample_addresses(const std::vector<asncounter::Route>& routes, std::size_t n,
                                      std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Prefix> prefixes;
  for (const auto& r : routes) prefixes.push_back(r.prefix);
  std::sort(prefixes.begin(), prefixes.end());
  std::vector<Prefix> parents;
  for (std::size_t i = 0; i + 1 < prefixes.size(); ++i)
    if (asncounter::contains(prefixes[i], prefixes[i + 1].addr) && prefixes[i + 1].len > prefixes[i].len)
      parents.push_back(prefixes[i]);
  const bool has_v4 = !prefixes.empty() && prefixes.front().addr.is_v4();
  const bool has_v6 = !prefixes.empty() && !prefixes.back().addr.is_v4();
  auto inside = [&](const Prefix& p) {
    if (p.addr.is_v4()) {
      std::uint32_t host = p.len == 32 ? 0 : static_cast<std::uint32_t>(rng()) >> p.len;
      return Address::from_v4(p.addr.v4 | host);
    }
    asncounter::V6 v = p.addr.v6;
    std::uint64_t hi = rng(), lo = rng();
    if (p.len < 64) v.hi |= hi >> p.len;
    if (p.len < 128) v.lo |= p.len <= 64 ? lo : lo >> (p.len - 64);
    return Address::from_v6(v);
  };
  std::vector<Address> out;
  for (std::size_t i = 0; i < n; ++i) {
    if (i % 2 == 0 || prefixes.empty()) {
      bool v4 = has_v4 && (!has_v6 || i % 4 == 0);
      if (v4)
        out.push_back(Address::from_v4(static_cast<std::uint32_t>(rng())));
      else
        out.push_back(Address::from_v6({0x2000000000000000ULL | rng() >> 3, rng()}));
    } else if (!parents.empty() && i % 4 == 1) {
      out.push_back(inside(parents[rng() % parents.size()]));
    } else {
      out.push_back(inside(prefixes[rng() % prefixes.size()]));
    }
  }
  return out;
}

// Runs pyasn on `source` (an MRT dump when `mrt`, else an ipasn file).
Oracle ask_pyasn(const TempDir& dir, const std::string& source, bool mrt, const std::string& addrs) {
  const std::string py = (dir / "oracle.py").string();
  std::ofstream(py) << kOracle;
  Oracle o;
  std::string table = source;
  if (mrt) {
    table = (dir / "pyasn.dat").string();
    run("/usr/bin/python3 " + std::string(kConverter) + " --no-progress --single " + source + " " + table);
    o.mapping = read_mapping(table);
    run("/usr/bin/python3 " + py + " sets " + source + " " + (dir / "sets.txt").string());
    o.sets = read_mapping((dir / "sets.txt").string());
    run("/usr/bin/python3 " + py + " lookup " + table + " " + addrs + " " + (dir / "look.txt").string());
  } else {
    run("/usr/bin/python3 " + py + " lookup " + table + " " + addrs + " " + (dir / "look.txt").string() +
        " " + (dir / "pyasn.dat").string());
    o.mapping = read_mapping((dir / "pyasn.dat").string());
  }
  std::ifstream in(dir / "look.txt");
  for (std::string line; std::getline(in, line);) o.lookups.push_back(line);
  return o;
}

// pyasn's ASN for a prefix agrees with ours, or differs only as an AS_SET
// origin may (we take its lowest member).
bool same_origin(const Oracle& o, const Prefix& p, const std::string& theirs, std::uint32_t ours) {
  if (theirs == std::to_string(ours)) return true;
  auto set = o.sets.find(p);
  if (set == o.sets.end() || set->second.find(',') == std::string::npos) return false;
  auto m = members(set->second);
  return std::find(m.begin(), m.end(), std::stoul(theirs)) != m.end() &&
         ours == *std::min_element(m.begin(), m.end());
}

// The whole comparison for one source; `oracle` may come from an equivalent
// file pyasn can read (ADD-PATH, plain) instead of `source` itself.
void compare(const std::string& source, const Oracle& oracle, const std::vector<Address>& addrs) {
  INFO("source " << source);
  // (1) convert's mapping.
  TempDir dir;
  std::ostringstream err;
  REQUIRE(asncounter::ctl::convert(source, (dir / "ours.dat").string(), err) == 0);
  auto ours = read_mapping((dir / "ours.dat").string());
  REQUIRE(ours.size() == oracle.mapping.size());
  std::size_t set_differences = 0;
  for (const auto& [prefix, asn] : oracle.mapping) {
    auto it = ours.find(prefix);
    INFO("prefix " << asncounter::to_string(prefix) << " pyasn " << asn);
    REQUIRE(it != ours.end());
    CHECK(same_origin(oracle, prefix, asn, static_cast<std::uint32_t>(std::stoul(it->second))));
    set_differences += asn != it->second ? 1 : 0;
  }
  // (2) lookups.
  auto table = asncounter::load_table(source);
  REQUIRE(table.ok());
  REQUIRE(oracle.lookups.size() == addrs.size());
  REQUIRE(addrs.size() >= 20000);
  std::size_t routed = 0;
  for (std::size_t i = 0; i < addrs.size(); ++i) {
    const std::string& line = oracle.lookups[i];
    auto t1 = line.find('\t'), t2 = line.rfind('\t');
    std::string ip = line.substr(0, t1), asn = line.substr(t1 + 1, t2 - t1 - 1), prefix = line.substr(t2 + 1);
    INFO("address " << ip << " pyasn " << asn << " " << prefix);
    REQUIRE(ip == asncounter::to_string(addrs[i]));
    auto m = (*table)->lookup(addrs[i]);
    if (asn == "None") {
      CHECK_FALSE(m);
      continue;
    }
    REQUIRE(m);
    ++routed;
    CHECK(m->prefix == pfx(prefix));
    CHECK(same_origin(oracle, m->prefix, asn, m->asn));
  }
  CHECK(routed > addrs.size() / 3);  // the in-prefix half, at least, must hit
  WARN(source << ": " << ours.size() << " prefixes, " << set_differences << " AS_SET picks differ, " << routed
              << " of " << addrs.size() << " addresses routed");
}

std::string write_addresses(const TempDir& dir, const std::vector<Address>& addrs) {
  std::string path = (dir / "addrs.txt").string();
  std::ofstream out(path);
  for (const auto& a : addrs) out << asncounter::to_string(a) << '\n';
  return path;
}

void check_source(const std::string& source, bool mrt) {
  auto routes = asncounter::read_table_file(source);
  INFO((routes ? "" : routes.error()));
  REQUIRE(routes.ok());
  TempDir dir;
  auto addrs = sample_addresses(routes->routes, 20000, 20240501);
  auto oracle = ask_pyasn(dir, source, mrt, write_addresses(dir, addrs));
  compare(source, oracle, addrs);
}

// A seeded fixture pyasn can agree with: origins it does not take for bogus,
// 2-byte ASNs (so TABLE_DUMP can carry it), more-specifics, AS_SET origins,
// bogus ASNs to walk back over, repeated prefixes and a default route.
struct FixtureRow {
  Prefix prefix;
  std::vector<RibEntry> entries;
};

std::vector<FixtureRow> fixture_rows() {
  std::mt19937_64 rng(7);
  auto asn = [&] { return static_cast<std::uint32_t>(1 + rng() % 64000); };
  auto random_prefix = [&](bool v4) {
    if (v4) {
      unsigned len = 16 + static_cast<unsigned>(rng() % 9);
      auto a = static_cast<std::uint32_t>(0x01000000 + rng() % 0xdf000000U) & ~0U << (32 - len);
      return Prefix{Address::from_v4(a), static_cast<std::uint8_t>(len)};
    }
    unsigned len = 32 + static_cast<unsigned>(rng() % 17);
    std::uint64_t hi = (0x2000000000000000ULL | rng() >> 3) & ~0ULL << (64 - len);
    return Prefix{Address::from_v6({hi, 0}), static_cast<std::uint8_t>(len)};
  };
  auto entry = [&](std::uint16_t peer) {
    RibEntry e;
    std::vector<std::uint32_t> path{asn(), asn(), asn()};
    e.as_path.push_back(asncounter::test::as_seq(path));
    switch (rng() % 20) {
      case 0:
        e.as_path.push_back(asncounter::test::as_set({asn(), asn(), asn()}));
        break;
      case 1:
        e.as_path[0].asns.push_back(64512 +
                                    static_cast<std::uint32_t>(rng() % 1000));  // private: walked back over
        break;
      case 2:
        e.as_path.push_back(asncounter::test::as_set({65000, 64999}));  // only bogus: the sequence gives it
        break;
      default:
        break;
    }
    e.peer_index = peer;
    return e;
  };
  std::vector<FixtureRow> rows;
  rows.push_back({pfx("0.0.0.0/0"), {entry(0)}});
  for (int i = 0; i < 3000; ++i) {
    Prefix p = random_prefix(i % 4 != 0);
    rows.push_back({p, {entry(0), entry(1)}});
    if (i % 5 == 0) {  // a more-specific inside it
      Prefix child = p;
      child.len = static_cast<std::uint8_t>(p.len + 1 + rng() % 6);
      child.addr = asncounter::mask(
          p.addr.is_v4() ? Address::from_v4(p.addr.v4 | static_cast<std::uint32_t>(rng() >> 40))
                         : Address::from_v6({p.addr.v6.hi | rng() >> 40, 0}),
          child.len);
      rows.push_back({child, {entry(1), entry(0)}});
    }
    if (i % 97 == 0) rows.push_back({p, {entry(0)}});  // a repeat: the first record wins
  }
  return rows;
}

}  // namespace

TEST_CASE("oracle: the real RouteViews MRT extracts", "[oracle][shared-data]") {
  if (auto why = pyasn_missing()) ASNCOUNTER_SKIP(*why);
  for (const char* name :
       {"rib.20140523.0600_firstMB_whole.mrt.bz2", "rib6.20151101.0600_firstMB_whole.mrt.bz2"}) {
    auto path = asncounter::test::shared_data(name);
    if (!path) ASNCOUNTER_SKIP(asncounter::test::missing_data_message(name));
    check_source(path->string(), true);
  }
}

TEST_CASE("oracle: the real pyasn ipasn tables", "[oracle][shared-data]") {
  if (auto why = pyasn_missing()) ASNCOUNTER_SKIP(*why);
  for (const char* name : {"ipasn_20140513.dat.gz", "ipasn6_20151101.dat.gz"}) {
    auto path = asncounter::test::shared_data(name);
    if (!path) ASNCOUNTER_SKIP(asncounter::test::missing_data_message(name));
    check_source(path->string(), false);
  }
}

TEST_CASE("oracle: writer fixtures in every MRT format and compression, and ipasn", "[oracle]") {
  if (auto why = pyasn_missing()) ASNCOUNTER_SKIP(*why);
  TempDir dir;
  auto rows = fixture_rows();
  MrtWriter td2(1400824800), addpath(1400824800), td1(1400824800);
  td2.peer_index_table(2);
  addpath.peer_index_table(2);
  for (const auto& row : rows) {
    td2.rib(row.prefix, row.entries);
    addpath.rib(row.prefix, row.entries, true);
    for (const auto& e : row.entries) td1.table_dump(row.prefix, e);
  }
  auto file = [&](const std::string& name, const MrtWriter& w, Packing p) {
    std::string path = (dir / name).string();
    asncounter::test::write_packed(path, w.bytes(), p);
    return path;
  };
  const std::string td2_bz2 = file("td2.bz2", td2, Packing::bzip2);
  const std::string td2_gz = file("td2.gz", td2, Packing::gzip);
  const std::string td1_gz = file("td1.gz", td1, Packing::gzip);
  // pyasn reads neither plain files nor ADD-PATH records: those are checked
  // against pyasn's answers for the same routes in a file it does read.
  const std::string td2_plain = file("td2.mrt", td2, Packing::plain);
  const std::string addpath_bz2 = file("addpath.bz2", addpath, Packing::bzip2);
  const std::string td1_plain = file("td1.mrt", td1, Packing::plain);

  auto routes = asncounter::read_table_file(td2_bz2);
  REQUIRE(routes.ok());
  auto addrs = sample_addresses(routes->routes, 20000, 99);
  TempDir work;
  const std::string addr_file = write_addresses(work, addrs);
  auto td2_oracle = ask_pyasn(work, td2_bz2, true, addr_file);
  compare(td2_bz2, td2_oracle, addrs);
  compare(td2_plain, td2_oracle, addrs);
  compare(addpath_bz2, td2_oracle, addrs);
  TempDir work2;
  auto gz_oracle = ask_pyasn(work2, td2_gz, true, write_addresses(work2, addrs));
  compare(td2_gz, gz_oracle, addrs);
  TempDir work3;
  auto td1_oracle = ask_pyasn(work3, td1_gz, true, write_addresses(work3, addrs));
  compare(td1_gz, td1_oracle, addrs);
  compare(td1_plain, td1_oracle, addrs);

  // ipasn files written by us, plain and gzip, read by pyasn directly.
  for (const char* name : {"fixture.dat", "fixture.dat.gz"}) {
    std::string path = (dir / name).string();
    REQUIRE(asncounter::write_ipasn(path, routes->routes, {"fixture"}).ok());
    TempDir w;
    auto o = ask_pyasn(w, path, false, write_addresses(w, addrs));
    compare(path, o, addrs);
  }
}

TEST_CASE("oracle: each deliberate difference from pyasn, asserted", "[oracle]") {
  if (auto why = pyasn_missing()) ASNCOUNTER_SKIP(*why);
  TempDir dir;
  MrtWriter w(1400824800);
  w.peer_index_table(1);
  w.rib(pfx("192.0.2.0/24"), {asncounter::test::path_entry({3356, 64496})});     // documentation ASN
  w.rib(pfx("198.51.100.0/24"), {asncounter::test::path_entry({3356, 65551})});  // documentation ASN
  RibEntry set;
  set.as_path = {asncounter::test::as_seq({3356}), asncounter::test::as_set({8111, 7860, 26677, 271})};
  w.rib(pfx("203.0.113.0/24"), {set});                                       // AS_SET: lowest member
  w.rib(pfx("2001:db8::/32"), {asncounter::test::path_entry({3356, 174})});  // no difference
  std::string td2 = (dir / "diff.bz2").string();
  asncounter::test::write_packed(td2, w.bytes(), Packing::bzip2);
  MrtWriter v1(1400824800);
  RibEntry trans = asncounter::test::path_entry({701, 23456});
  trans.as4_path = {asncounter::test::as_seq({196608})};
  v1.table_dump(pfx("192.0.2.0/24"), trans);  // AS_TRANS + AS4_PATH
  std::string td1 = (dir / "trans.gz").string();
  asncounter::test::write_packed(td1, v1.bytes(), Packing::gzip);

  run("/usr/bin/python3 " + std::string(kConverter) + " --no-progress --single " + td2 + " " +
      (dir / "p2.dat").string());
  run("/usr/bin/python3 " + std::string(kConverter) + " --no-progress --single " + td1 + " " +
      (dir / "p1.dat").string());
  auto theirs = read_mapping((dir / "p2.dat").string());
  auto theirs1 = read_mapping((dir / "p1.dat").string());
  std::ostringstream err;
  REQUIRE(asncounter::ctl::convert(td2, (dir / "o2.dat").string(), err) == 0);
  REQUIRE(asncounter::ctl::convert(td1, (dir / "o1.dat").string(), err) == 0);
  auto ours = read_mapping((dir / "o2.dat").string());
  auto ours1 = read_mapping((dir / "o1.dat").string());

  // RFC 5398 documentation ASNs: pyasn takes them for bogus and walks back.
  CHECK(theirs[pfx("192.0.2.0/24")] == "3356");
  CHECK(ours[pfx("192.0.2.0/24")] == "64496");
  CHECK(theirs[pfx("198.51.100.0/24")] == "3356");
  CHECK(ours[pfx("198.51.100.0/24")] == "65551");
  // AS_SET: pyasn picks any member, we the lowest.
  auto picked = std::stoul(theirs[pfx("203.0.113.0/24")]);
  CHECK((picked == 8111 || picked == 7860 || picked == 26677 || picked == 271));
  CHECK(ours[pfx("203.0.113.0/24")] == "271");
  CHECK(theirs[pfx("2001:db8::/32")] == ours[pfx("2001:db8::/32")]);
  // AS_TRANS with AS4_PATH: pyasn reports 23456, we the real 4-byte origin.
  CHECK(theirs1[pfx("192.0.2.0/24")] == "23456");
  CHECK(ours1[pfx("192.0.2.0/24")] == "196608");

  // IPv4-mapped IPv6 addresses are looked up as IPv4; pyasn looks them up as IPv6.
  std::string addrs = (dir / "mapped.txt").string();
  std::ofstream(addrs) << "::ffff:192.0.2.1\n192.0.2.1\n";
  run("/usr/bin/python3 -c \"import pyasn,sys; db=pyasn.pyasn(sys.argv[1]); "
      "print('\\n'.join('%s %s' % db.lookup(l.strip()) for l in open(sys.argv[2])))\" " +
      (dir / "p2.dat").string() + " " + addrs + " > " + (dir / "mapped.out").string());
  std::ifstream mapped(dir / "mapped.out");
  std::string l1, l2;
  std::getline(mapped, l1);
  std::getline(mapped, l2);
  CHECK(l1 == "None None");
  CHECK(l2 == "3356 192.0.2.0/24");
  auto table = asncounter::load_table(td2);
  REQUIRE(table.ok());
  auto m = (*table)->lookup(asncounter::parse_address("::ffff:192.0.2.1").value());
  REQUIRE(m);
  CHECK(m->prefix == pfx("192.0.2.0/24"));
  CHECK(m->asn == 64496);
}
