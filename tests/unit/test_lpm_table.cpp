// The LPM table against a brute-force reference (a map probed at every
// prefix length) on random tables full of nested prefixes and boundaries.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <vector>

#include "common/table/lpm_table.hpp"
#include "tests/support/addresses.hpp"

using namespace asncounter;

namespace {

Prefix v4p(std::uint32_t a, unsigned len) {
  return Prefix{mask(Address::from_v4(a), len), static_cast<std::uint8_t>(len)};
}
Prefix v6p(std::uint64_t hi, std::uint64_t lo, unsigned len) {
  return Prefix{mask(Address::from_v6(V6{hi, lo}), len), static_cast<std::uint8_t>(len)};
}
using asncounter::test::addr;
using asncounter::test::pfx;

// What the table must answer: the first route given for each prefix, no
// default routes, the longest match found by probing every length.
class Reference {
 public:
  explicit Reference(const std::vector<Route>& routes) {
    for (const auto& r : routes)
      if (r.prefix.len > 0) map_.emplace(r.prefix, r.asn);  // emplace keeps the first
  }
  std::optional<Route> lookup(Address a) const {
    a = unmap_v4(a);
    for (int len = static_cast<int>(family_bits(a.family)); len > 0; --len) {
      Prefix p{mask(a, static_cast<unsigned>(len)), static_cast<std::uint8_t>(len)};
      if (auto it = map_.find(p); it != map_.end()) return Route{p, it->second};
    }
    return std::nullopt;
  }
  const std::map<Prefix, std::uint32_t>& map() const { return map_; }

 private:
  std::map<Prefix, std::uint32_t> map_;
};

// Random prefixes that nest: each new one is, half of the time, a
// more-specific of an earlier one; all lengths occur, /0 included.
std::vector<Route> random_routes(std::mt19937_64& rng, Family f, std::size_t n) {
  unsigned bits = family_bits(f);
  std::vector<Route> routes;
  auto random_address = [&] {
    return f == Family::v4 ? Address::from_v4(static_cast<std::uint32_t>(rng()))
                           : Address::from_v6(V6{rng(), rng()});
  };
  for (std::size_t i = 0; i < n; ++i) {
    Address a = random_address();
    unsigned len = static_cast<unsigned>(rng() % (bits + 1));
    if (!routes.empty() && rng() % 2 == 0) {
      // A more-specific (or the same prefix again) inside an earlier route.
      const Prefix& outer = routes[rng() % routes.size()].prefix;
      len = outer.len + static_cast<unsigned>(rng() % (bits - outer.len + 1));
      Address inside = random_address();
      // Take outer's bits, then random ones.
      if (f == Family::v4) {
        std::uint32_t m = outer.len == 0 ? 0 : ~0U << (32 - outer.len);
        a = Address::from_v4((outer.addr.v4 & m) | (inside.v4 & ~m));
      } else {
        Address hi_part = mask(outer.addr, outer.len);
        Address lo_mask = mask(Address::from_v6(V6{~0ULL, ~0ULL}), outer.len);
        a = Address::from_v6(V6{hi_part.v6.hi | (inside.v6.hi & ~lo_mask.v6.hi),
                                hi_part.v6.lo | (inside.v6.lo & ~lo_mask.v6.lo)});
      }
    }
    routes.push_back(Route{Prefix{mask(a, len), static_cast<std::uint8_t>(len)},
                           static_cast<std::uint32_t>(1 + rng() % 5000)});
  }
  return routes;
}

// Addresses that probe every edge: each prefix's first and last address and
// their neighbours outside, plus uniform ones.
std::vector<Address> probes(std::mt19937_64& rng, const std::vector<Route>& routes, Family f,
                            std::size_t uniform) {
  std::vector<Address> out;
  for (const auto& r : routes) {
    const Address& first = r.prefix.addr;
    if (first.family == Family::v4) {
      std::uint32_t last = first.v4 | (r.prefix.len == 0 ? ~0U : ~(~0U << (32 - r.prefix.len)));
      if (r.prefix.len == 32) last = first.v4;
      out.push_back(first);
      out.push_back(Address::from_v4(last));
      out.push_back(Address::from_v4(first.v4 - 1));
      out.push_back(Address::from_v4(last + 1));
      out.push_back(Address::from_v4(
          first.v4 + static_cast<std::uint32_t>(rng() % (std::uint64_t{last} - first.v4 + 1))));
    } else {
      unsigned len = r.prefix.len;
      std::uint64_t hm = len >= 64 ? 0 : (~0ULL >> len);
      std::uint64_t lm = len >= 128 ? 0 : (len <= 64 ? ~0ULL : (~0ULL >> (len - 64)));
      V6 lo = first.v6, hi{first.v6.hi | hm, first.v6.lo | lm};
      out.push_back(first);
      out.push_back(Address::from_v6(hi));
      V6 before = lo.lo == 0 ? V6{lo.hi - 1, ~0ULL} : V6{lo.hi, lo.lo - 1};
      V6 after = hi.lo == ~0ULL ? V6{hi.hi + 1, 0} : V6{hi.hi, hi.lo + 1};
      out.push_back(Address::from_v6(before));
      out.push_back(Address::from_v6(after));
      out.push_back(Address::from_v6(V6{lo.hi | (rng() & hm), lo.lo | (rng() & lm)}));
    }
  }
  for (std::size_t i = 0; i < uniform; ++i)
    out.push_back(f == Family::v4 ? Address::from_v4(static_cast<std::uint32_t>(rng()))
                                  : Address::from_v6(V6{rng(), rng()}));
  return out;
}

void check_against_reference(const LpmTable& table, const Reference& ref, const std::vector<Address>& addrs) {
  std::vector<PrefixId> batch(addrs.size());
  table.lookup_ids(addrs, batch);
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < addrs.size(); ++i) {
    auto want = ref.lookup(addrs[i]);
    auto got = table.lookup(addrs[i]);
    bool same = want.has_value() == got.has_value() &&
                (!want || (want->prefix == got->prefix && want->asn == got->asn));
    bool batch_same = batch[i] == table.lookup_id(addrs[i]) && batch[i] == (got ? got->id : kUnrouted);
    if (!same || !batch_same) {
      if (++mismatches <= 5) {
        INFO("address " << to_string(addrs[i]) << " want " << (want ? to_string(want->prefix) : "None")
                        << " got " << (got ? to_string(got->prefix) : "None") << " batch id " << batch[i]);
        CHECK(same);
        CHECK(batch_same);
      }
    }
  }
  CHECK(mismatches == 0);
}

}  // namespace

TEST_CASE("lpm: random nested IPv4 tables match the brute-force reference", "[lpm]") {
  std::mt19937_64 rng(GENERATE(1, 2, 3, 4));
  auto routes = random_routes(rng, Family::v4, 3000);
  // Crowd one /24 so that many boundaries split the same tbl8 group.
  for (unsigned i = 0; i < 64; ++i)
    routes.push_back(Route{v4p(0xC0000200U + i * 4, 30 + (i % 3)), 64496 + i});
  auto table = LpmTable::build(routes, {});
  Reference ref(routes);
  CHECK(table->prefix_count() == ref.map().size());
  CHECK(table->v4_prefix_count() == ref.map().size());
  check_against_reference(*table, ref, probes(rng, routes, Family::v4, 20000));
}

TEST_CASE("lpm: random nested IPv6 tables match the brute-force reference", "[lpm]") {
  std::mt19937_64 rng(GENERATE(11, 12, 13));
  auto routes = random_routes(rng, Family::v6, 3000);
  // Real tables cluster: many /48s and /64s in one /32 exercise deep index nodes.
  for (std::uint64_t i = 0; i < 2000; ++i) {
    std::uint64_t hi = 0x20010db800000000ULL | ((rng() & 0xffff) << 16) | (i % 3 == 0 ? rng() & 0xffff : 0);
    routes.push_back(Route{v6p(hi, 0, i % 3 == 0 ? 64 : 48), static_cast<std::uint32_t>(100 + i)});
  }
  auto table = LpmTable::build(routes, {});
  Reference ref(routes);
  CHECK(table->v6_prefix_count() == ref.map().size());
  check_against_reference(*table, ref, probes(rng, routes, Family::v6, 20000));
}

// The IPv4 index keeps one 64-bit map per /18 with a bit per /24 where the
// answer changes: fill maps to every bit, and put changes on the /18 edges.
TEST_CASE("lpm: IPv4 /18s crowded with changes, and changes at /18 edges", "[lpm]") {
  std::vector<Route> routes;
  std::uint32_t asn = 64496;
  // 198.18.0.0/18: every /24 routed with its own ASN, so all 64 bits are
  // set; every third one also holds a /26, which splits it into a group.
  for (std::uint32_t i = 0; i < 64; ++i) {
    routes.push_back({v4p(0xC6120000U + (i << 8), 24), asn++});
    if (i % 3 == 0) routes.push_back({v4p(0xC6120000U + (i << 8) + 64, 26), asn++});
  }
  // 198.18.64.0/18: every other /24 routed, so answers alternate with
  // unrouted ones.
  for (std::uint32_t i = 0; i < 64; i += 2) routes.push_back({v4p(0xC6124000U + (i << 8), 24), asn++});
  // 198.19.0.0/16 spans four /18s; more-specifics on both sides of each
  // boundary between them, and a /23 that ends one /18.
  routes.push_back({v4p(0xC6130000U, 16), asn++});
  for (std::uint32_t edge : {0xC6134000U, 0xC6138000U, 0xC613C000U}) {
    routes.push_back({v4p(edge - 256, 24), asn++});
    routes.push_back({v4p(edge, 24), asn++});
  }
  routes.push_back({v4p(0xC613BE00U, 23), asn++});
  // The last /18 of the address space, at both its ends.
  routes.push_back({v4p(0xFFFFC000U, 24), asn++});
  routes.push_back({v4p(0xFFFFFF80U, 25), asn++});
  auto table = LpmTable::build(routes, {});
  Reference ref(routes);
  REQUIRE(table->v4_prefix_count() == routes.size());
  std::mt19937_64 rng(5);
  auto addrs = probes(rng, routes, Family::v4, 0);
  // Both ends of every /24 in the crowded /18s and the /16.
  for (std::uint32_t block = 0xC61200U; block < 0xC61400U; ++block) {
    addrs.push_back(Address::from_v4(block << 8));
    addrs.push_back(Address::from_v4((block << 8) | 0xffU));
  }
  check_against_reference(*table, ref, addrs);
}

TEST_CASE("lpm: mixed families, edges of the address space, defaults dropped", "[lpm]") {
  std::vector<Route> routes = {
      {pfx("0.0.0.0/0"), 1},        {pfx("::/0"), 2},
      {pfx("0.0.0.0/32"), 3},       {pfx("255.255.255.255/32"), 4},
      {pfx("128.0.0.0/1"), 5},      {pfx("192.0.2.0/24"), 6},
      {pfx("192.0.2.128/25"), 7},   {pfx("192.0.2.129/32"), 8},
      {pfx("::/128"), 9},           {pfx("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"), 10},
      {pfx("8000::/1"), 11},        {pfx("2001:db8::/32"), 12},
      {pfx("2001:db8::1/128"), 13}, {pfx("::ffff:0:0/96"), 14},
  };
  auto table = LpmTable::build(routes, {"test", 0, {}});
  Reference ref(routes);
  CHECK(table->prefix_count() == 12);
  CHECK(table->v4_prefix_count() == 6);
  CHECK(table->v6_prefix_count() == 6);
  CHECK_FALSE(table->lookup(addr("1.2.3.4")));  // the default route is gone
  CHECK_FALSE(table->lookup(addr("2001:db9::1")));
  CHECK(table->lookup(addr("0.0.0.0"))->asn == 3);
  CHECK_FALSE(table->lookup(addr("0.0.0.1")));
  CHECK(table->lookup(addr("255.255.255.255"))->asn == 4);
  CHECK(table->lookup(addr("255.255.255.254"))->asn == 5);
  CHECK(table->lookup(addr("192.0.2.127"))->asn == 6);
  CHECK(table->lookup(addr("192.0.2.128"))->asn == 7);
  CHECK(table->lookup(addr("192.0.2.129"))->asn == 8);
  CHECK(table->lookup(addr("192.0.2.130"))->asn == 7);
  CHECK(table->lookup(addr("::"))->asn == 9);
  CHECK(table->lookup(addr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))->asn == 10);
  CHECK(table->lookup(addr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"))->asn == 11);
  CHECK(table->lookup(addr("2001:db8::1"))->asn == 13);
  CHECK(table->lookup(addr("2001:db8::2"))->asn == 12);
  CHECK(table->lookup_v4(0xC0000281U) == table->lookup_id(addr("192.0.2.129")));
  CHECK(table->info().source == "test");
  std::vector<Address> all = {addr("0.0.0.0"), addr("::1"), addr("::ffff:192.0.2.129"), addr("8000::1")};
  check_against_reference(*table, ref, all);
}

TEST_CASE("lpm: IPv4-mapped IPv6 addresses are looked up as IPv4", "[lpm]") {
  auto table = LpmTable::build({{pfx("192.0.2.0/24"), 64496}, {pfx("::ffff:0:0/96"), 64497}}, {});
  auto m = table->lookup(addr("::ffff:192.0.2.1"));
  REQUIRE(m);
  CHECK(m->asn == 64496);
  CHECK(to_string(m->prefix) == "192.0.2.0/24");
  CHECK(table->lookup_id(addr("::ffff:192.0.2.1")) == table->lookup_id(addr("192.0.2.1")));
  // Unrouted as IPv4 means unrouted, even though a v6 prefix covers the
  // mapped block: the address is an IPv4 one.
  CHECK_FALSE(table->lookup(addr("::ffff:198.51.100.1")));
  std::vector<Address> in = {addr("::ffff:192.0.2.1"), addr("::ffff:198.51.100.1")};
  std::vector<PrefixId> out(2);
  table->lookup_ids(in, out);
  CHECK(out[0] == table->lookup_id(addr("192.0.2.1")));
  CHECK(out[1] == kUnrouted);
}

TEST_CASE("lpm: the first route for a prefix wins, later duplicates are ignored", "[lpm]") {
  std::vector<Route> routes = {{pfx("198.51.100.0/24"), 64500},
                               {pfx("198.51.100.0/24"), 64501},
                               {pfx("2001:db8::/32"), 64502},
                               {pfx("2001:db8::/32"), 64503},
                               {pfx("198.51.100.0/24"), 64504}};
  auto table = LpmTable::build(routes, {});
  CHECK(table->prefix_count() == 2);
  CHECK(table->lookup(addr("198.51.100.7"))->asn == 64500);
  CHECK(table->lookup(addr("2001:db8::7"))->asn == 64502);
  CHECK(table->as_prefixes(64501).empty());
}

TEST_CASE("lpm: ids are dense, as_prefixes and routes are sorted and complete", "[lpm]") {
  std::mt19937_64 rng(7);
  auto routes = random_routes(rng, Family::v4, 2000);
  auto r6 = random_routes(rng, Family::v6, 1000);
  routes.insert(routes.end(), r6.begin(), r6.end());
  std::shuffle(routes.begin(), routes.end(), rng);
  for (auto& r : routes) r.asn = 64496 + static_cast<std::uint32_t>(rng() % 7);
  auto table = LpmTable::build(routes, {});
  Reference ref(routes);
  REQUIRE(table->prefix_count() == ref.map().size());
  std::set<Prefix> seen;
  for (PrefixId id = 1; id <= table->prefix_count(); ++id) {
    Prefix p = table->prefix(id);
    REQUIRE(ref.map().count(p) == 1);
    CHECK(ref.map().at(p) == table->asn(id));
    seen.insert(p);
    // Its own first address finds it or a more-specific inside it.
    auto m = table->lookup(p.addr);
    REQUIRE(m);
    CHECK(contains(p, m->prefix.addr));
    CHECK(m->prefix.len >= p.len);
  }
  CHECK(seen.size() == table->prefix_count());
  auto all = table->routes();
  REQUIRE(all.size() == ref.map().size());
  CHECK(std::is_sorted(all.begin(), all.end(),
                       [](const Route& a, const Route& b) { return a.prefix < b.prefix; }));
  std::size_t total = 0;
  for (std::uint32_t asn = 64496; asn < 64503; ++asn) {
    auto list = table->as_prefixes(asn);
    total += list.size();
    CHECK(std::is_sorted(list.begin(), list.end()));
    std::size_t want = 0;
    for (const auto& [p, a] : ref.map()) want += a == asn ? 1 : 0;
    CHECK(list.size() == want);
  }
  CHECK(total == table->prefix_count());
  CHECK(table->as_prefixes(1).empty());
  CHECK(table->prefix(kUnrouted) == Prefix{});
}

TEST_CASE("lpm: the empty table routes nothing", "[lpm]") {
  auto table = LpmTable::empty();
  CHECK(table->prefix_count() == 0);
  CHECK_FALSE(table->lookup(addr("192.0.2.1")));
  CHECK_FALSE(table->lookup(addr("2001:db8::1")));
  CHECK(table->info().format == asncounter::TableFormat::none);
  CHECK(asncounter::table_format_name(table->info().format) == "empty");
  std::vector<Address> in(1000, addr("2001:db8::1"));
  for (std::size_t i = 0; i < in.size(); i += 2)
    in[i] = Address::from_v4(static_cast<std::uint32_t>(i * 7919));
  std::vector<PrefixId> out(in.size(), 99);
  table->lookup_ids(in, out);
  CHECK(std::all_of(out.begin(), out.end(), [](PrefixId id) { return id == kUnrouted; }));
  // Built from nothing but default routes: also empty.
  CHECK(LpmTable::build({{pfx("0.0.0.0/0"), 1}, {pfx("::/0"), 1}}, {})->prefix_count() == 0);
}
