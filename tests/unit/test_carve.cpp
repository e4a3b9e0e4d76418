// Carving: the space a table attributes to an ASN, checked by hand on the
// cases that matter (another AS's more-specific inside, nesting back, joins,
// default routes) and against the table's own lookup on random tables.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "common/table/carve.hpp"
#include "tests/support/addresses.hpp"

using namespace asncounter;
using asncounter::test::addr;
using asncounter::test::pfx;

namespace {

std::vector<std::string> texts(const std::vector<Prefix>& prefixes) {
  std::vector<std::string> out;
  for (const auto& p : prefixes) out.push_back(to_string(p));
  return out;
}

std::shared_ptr<const LpmTable> table_of(const std::vector<std::pair<const char*, std::uint32_t>>& rows) {
  std::vector<Route> routes;
  for (const auto& [text, asn] : rows) routes.push_back(Route{pfx(text), asn});
  return LpmTable::build(routes, {});
}

using Texts = std::vector<std::string>;

}  // namespace

TEST_CASE("carve: another AS's /17 inside a /15 is cut out", "[carve]") {
  // The 37.222.0.0/15 case of issue 23, in documentation-sized space.
  auto table = table_of({{"198.18.0.0/15", 64496}, {"198.19.128.0/17", 64497}});
  CHECK(texts(carved_asn_space(*table, 64496)) == Texts{"198.18.0.0/16", "198.19.0.0/17"});
  CHECK(texts(carved_asn_space(*table, 64497)) == Texts{"198.19.128.0/17"});
  CHECK(texts(carved_prefix_space(*table, pfx("198.18.0.0/15"), 64496)) ==
        Texts{"198.18.0.0/16", "198.19.0.0/17"});
  CHECK(carved_asn_space(*table, 64498).empty());
}

TEST_CASE("carve: IPv6 more-specifics of another AS are cut out", "[carve]") {
  auto table =
      table_of({{"2001:db8::/32", 64496}, {"2001:db8:8000::/33", 64497}, {"2001:db8:1::/48", 64498}});
  CHECK(texts(carved_asn_space(*table, 64496)) ==
        Texts{"2001:db8::/48", "2001:db8:2::/47", "2001:db8:4::/46", "2001:db8:8::/45", "2001:db8:10::/44",
              "2001:db8:20::/43", "2001:db8:40::/42", "2001:db8:80::/41", "2001:db8:100::/40",
              "2001:db8:200::/39", "2001:db8:400::/38", "2001:db8:800::/37", "2001:db8:1000::/36",
              "2001:db8:2000::/35", "2001:db8:4000::/34"});
  CHECK(texts(carved_asn_space(*table, 64498)) == Texts{"2001:db8:1::/48"});
}

TEST_CASE("carve: A inside B inside A belongs to A again", "[carve]") {
  auto table = table_of({{"203.0.113.0/24", 64496}, {"203.0.113.0/25", 64497}, {"203.0.113.0/26", 64496}});
  CHECK(texts(carved_asn_space(*table, 64496)) == Texts{"203.0.113.0/26", "203.0.113.128/25"});
  CHECK(texts(carved_asn_space(*table, 64497)) == Texts{"203.0.113.64/26"});
  // The inner /26 of A, carved on its own, is whole.
  CHECK(texts(carved_prefix_space(*table, pfx("203.0.113.0/26"), 64496)) == Texts{"203.0.113.0/26"});
}

TEST_CASE("carve: adjacent prefixes of one AS join into their parent", "[carve]") {
  auto table = table_of({{"192.0.2.0/25", 64496},
                         {"192.0.2.128/26", 64496},
                         {"192.0.2.192/26", 64496},
                         {"198.51.100.0/24", 64496},
                         {"198.51.101.0/24", 64497}});
  CHECK(texts(carved_asn_space(*table, 64496)) == Texts{"192.0.2.0/24", "198.51.100.0/24"});
  // A same-AS more-specific inside changes nothing.
  auto nested = table_of({{"192.0.2.0/24", 64496}, {"192.0.2.64/26", 64496}});
  CHECK(texts(carved_asn_space(*nested, 64496)) == Texts{"192.0.2.0/24"});
}

TEST_CASE("carve: default routes and unrouted space are never part of a space", "[carve]") {
  auto table = table_of({{"0.0.0.0/0", 64496}, {"::/0", 64496}, {"192.0.2.0/24", 64496}});
  CHECK(texts(carved_asn_space(*table, 64496)) == Texts{"192.0.2.0/24"});
  CHECK(carved_prefix_space(*table, pfx("0.0.0.0/0"), 64496).empty());
  CHECK(carved_prefix_space(*table, pfx("::/0"), 64496).empty());
  // Two halves of the whole space stay two halves.
  auto halves = table_of({{"0.0.0.0/1", 64496}, {"128.0.0.0/1", 64496}});
  CHECK(texts(carved_asn_space(*halves, 64496)) == Texts{"0.0.0.0/1", "128.0.0.0/1"});
}

TEST_CASE("carve: a prefix not in the table is carved by what lies inside it", "[carve]") {
  auto table = table_of({{"192.0.2.0/24", 64496}, {"192.0.2.128/25", 64497}});
  CHECK(texts(carved_prefix_space(*table, pfx("192.0.2.0/23"), 64496)) ==
        Texts{"192.0.2.0/25", "192.0.3.0/24"});
  CHECK(texts(carved_prefix_space(*table, pfx("192.0.2.128/26"), 64497)) == Texts{"192.0.2.128/26"});
}

namespace {

// Random tables with deep nesting among few ASNs, so that carving happens at
// every level.
std::vector<Route> nested_routes(std::mt19937_64& rng, Family f, std::size_t n) {
  unsigned bits = family_bits(f);
  std::vector<Route> routes;
  for (std::size_t i = 0; i < n; ++i) {
    Address a = f == Family::v4
                    ? Address::from_v4(static_cast<std::uint32_t>(rng()))
                    : Address::from_v6(V6{0x20010db800000000ULL | (rng() & 0xffffffffULL), rng()});
    unsigned min_len = f == Family::v4 ? 8 : 32;
    unsigned len = min_len + static_cast<unsigned>(rng() % (bits - min_len + 1));
    if (!routes.empty() && rng() % 4 != 0) {
      // Inside an earlier route: keep its bits, then a random tail.
      const Prefix& outer = routes[rng() % routes.size()].prefix;
      len = outer.len + static_cast<unsigned>(rng() % (std::min(bits, outer.len + 12U) - outer.len + 1));
      Address head = outer.addr;
      if (f == Family::v4) {
        std::uint32_t m = ~0U << (32 - outer.len);
        a = Address::from_v4(head.v4 | (a.v4 & ~m));
      } else {
        Address m = mask(Address::from_v6(V6{~0ULL, ~0ULL}), outer.len);
        a = Address::from_v6(V6{head.v6.hi | (a.v6.hi & ~m.v6.hi), head.v6.lo | (a.v6.lo & ~m.v6.lo)});
      }
    }
    routes.push_back(Route{Prefix{mask(a, len), static_cast<std::uint8_t>(len)},
                           static_cast<std::uint32_t>(64496 + rng() % 4)});
  }
  return routes;
}

// Each prefix's first address and the one after its last, and random ones
// inside and around it.
std::vector<Address> probes(std::mt19937_64& rng, const std::vector<Route>& routes) {
  std::vector<Address> out;
  for (const auto& r : routes) {
    const Prefix& p = r.prefix;
    out.push_back(p.addr);
    Address any = p.addr.is_v4() ? Address::from_v4(static_cast<std::uint32_t>(rng()))
                                 : Address::from_v6(V6{rng(), rng()});
    for (unsigned extra : {0U, 1U, 3U}) {
      unsigned keep = p.len >= extra ? p.len - extra : 0;
      Address head = mask(p.addr, keep), rest = any;
      Address m = mask(p.addr.is_v4() ? Address::from_v4(~0U) : Address::from_v6(V6{~0ULL, ~0ULL}), keep);
      if (p.addr.is_v4())
        out.push_back(Address::from_v4(head.v4 | (rest.v4 & ~m.v4)));
      else
        out.push_back(
            Address::from_v6(V6{head.v6.hi | (rest.v6.hi & ~m.v6.hi), head.v6.lo | (rest.v6.lo & ~m.v6.lo)}));
    }
  }
  return out;
}

void check_minimal(const std::vector<Prefix>& carved) {
  for (std::size_t i = 0; i < carved.size(); ++i) {
    CHECK(carved[i].len > 0);
    if (i == 0) continue;
    const Prefix& a = carved[i - 1];
    const Prefix& b = carved[i];
    CHECK(a < b);
    CHECK_FALSE(contains(a, b.addr));  // disjoint
    bool siblings = a.len == b.len && a.len > 1 && a.addr.family == b.addr.family &&
                    mask(a.addr, a.len - 1U) == mask(b.addr, b.len - 1U);
    CHECK_FALSE(siblings);  // would be one prefix
  }
}

}  // namespace

TEST_CASE("carve: an address is in an ASN's space exactly when the table's lookup gives that ASN",
          "[carve]") {
  auto family = GENERATE(Family::v4, Family::v6);
  std::mt19937_64 rng(GENERATE(1, 2, 3));
  auto routes = nested_routes(rng, family, 1500);
  auto table = LpmTable::build(routes, {});
  auto addrs = probes(rng, routes);
  for (std::uint32_t asn = 64496; asn < 64500; ++asn) {
    auto carved = carved_asn_space(*table, asn);
    check_minimal(carved);
    std::vector<Route> as_routes;
    for (const auto& p : carved) as_routes.push_back(Route{p, asn});
    auto space = LpmTable::build(as_routes, {});
    REQUIRE(space->prefix_count() == carved.size());
    std::size_t mismatches = 0;
    for (const auto& a : addrs) {
      auto m = table->lookup(a);
      bool want = m && m->asn == asn;
      bool got = space->lookup(a).has_value();
      if (want != got && ++mismatches <= 3) {
        INFO("AS" << asn << " address " << to_string(a) << " table says "
                  << (m ? to_string(m->prefix) : "none"));
        CHECK(want == got);
      }
    }
    CHECK(mismatches == 0);
  }
}

TEST_CASE("carve: a prefix's carved space is its addresses the lookup gives its origin", "[carve]") {
  auto family = GENERATE(Family::v4, Family::v6);
  std::mt19937_64 rng(GENERATE(7, 8));
  auto routes = nested_routes(rng, family, 800);
  auto table = LpmTable::build(routes, {});
  for (std::size_t i = 0; i < routes.size(); i += 37) {
    auto m = table->lookup(routes[i].prefix.addr);
    REQUIRE(m);
    // The prefix as the table holds it (a repeated prefix keeps its first origin).
    Prefix p = routes[i].prefix;
    std::uint32_t asn = 0;
    for (const auto& r : routes)
      if (r.prefix == p) {
        asn = r.asn;
        break;
      }
    auto carved = carved_prefix_space(*table, p, asn);
    check_minimal(carved);
    std::vector<Route> rs;
    for (const auto& c : carved) rs.push_back(Route{c, asn});
    auto space = LpmTable::build(rs, {});
    std::vector<Route> one{routes[i]};
    for (const auto& a : probes(rng, one)) {
      if (!contains(p, a)) continue;
      auto hit = table->lookup(a);
      CHECK((hit && hit->asn == asn) == space->lookup(a).has_value());
    }
  }
}
