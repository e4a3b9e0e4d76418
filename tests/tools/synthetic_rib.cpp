#include "tests/tools/synthetic_rib.hpp"
#include "tests/support/addresses.hpp"

#include <algorithm>
#include <random>
#include <unordered_set>
#include <vector>

namespace asncounter::test {
namespace {

using asncounter::test::pfx;

// A non-bogus origin for pyasn as well as for us (pyasn also rejects the
// documentation ASNs 64496-64511 and 65536-65551).
std::uint32_t random_asn(std::mt19937_64& rng) {
  std::uniform_int_distribution<std::uint32_t> d(1, 399999);
  for (;;) {
    std::uint32_t asn = d(rng);
    if (asn < 64496 || asn > 131071) return asn;
  }
}

unsigned v4_length(std::mt19937_64& rng) {
  static constexpr std::pair<unsigned, unsigned> kShares[] = {{24, 60}, {23, 10}, {22, 10}, {21, 7}, {20, 5},
                                                              {19, 4},  {16, 2},  {18, 1},  {17, 1}};
  unsigned pick = std::uniform_int_distribution<unsigned>(0, 99)(rng);
  for (auto [len, share] : kShares) {
    if (pick < share) return len;
    pick -= share;
  }
  return 24;
}

unsigned v6_length(std::mt19937_64& rng) {
  static constexpr unsigned kLengths[] = {48, 48, 48, 48, 48, 32, 32, 44, 40, 36, 29, 56, 64};
  return kLengths[std::uniform_int_distribution<std::size_t>(0, std::size(kLengths) - 1)(rng)];
}

std::vector<Prefix> random_prefixes(std::mt19937_64& rng, std::size_t v4, std::size_t v6) {
  std::vector<Prefix> out;
  out.reserve(v4 + v6);
  std::unordered_set<std::uint64_t> seen4;
  while (seen4.size() < v4) {
    unsigned len = v4_length(rng);
    // 1.0.0.0 - 223.255.255.255: unicast space.
    auto a = std::uniform_int_distribution<std::uint32_t>(0x01000000, 0xdfffffff)(rng);
    a &= ~std::uint32_t{0} << (32 - len);
    if (seen4.insert(std::uint64_t{a} << 8 | len).second)
      out.push_back(Prefix{Address::from_v4(a), static_cast<std::uint8_t>(len)});
  }
  std::unordered_set<std::uint64_t> seen6;
  while (seen6.size() < v6) {
    unsigned len = v6_length(rng);
    // 2000::/3, and every length here fits in the first 64 bits.
    std::uint64_t hi = 0x2000000000000000ULL | (rng() >> 3);
    hi &= ~std::uint64_t{0} << (64 - len);
    if (seen6.insert(hi ^ len).second)
      out.push_back(Prefix{Address::from_v6(V6{hi, 0}), static_cast<std::uint8_t>(len)});
  }
  std::sort(out.begin(), out.end());  // RouteViews dumps are sorted too
  return out;
}

}  // namespace

MrtWriter sample_rib(RibFormat format) {
  struct Row {
    const char* prefix;
    std::vector<std::uint32_t> path;
  };
  const std::vector<Row> rows{
      {"192.0.2.0/24", {64500, 64501, 64496}},    {"192.0.2.128/25", {64500, 64497}},
      {"192.0.2.192/26", {64500, 64502, 64498}},  {"198.51.100.0/24", {64500, 64499}},
      {"198.51.100.0/25", {64500, 64499, 64499}}, {"203.0.113.0/24", {64500, 65536}},
      {"203.0.113.64/27", {64500, 65537, 64512}}, {"2001:db8::/32", {64500, 65538}},
      {"2001:db8:1::/48", {64500, 64503}},        {"2001:db8:1:8000::/49", {64500, 64504}},
      {"2001:db8:ffff::/48", {64500, 65551}},
  };
  MrtWriter w(1700000000);
  if (format != RibFormat::table_dump) w.peer_index_table(2);
  for (const Row& row : rows) {
    RibEntry first = path_entry(row.path, 0);
    RibEntry second = path_entry({64510, row.path.back()}, 1);
    first.path_id = 1;
    second.path_id = 2;
    if (format == RibFormat::table_dump) {
      // A 2-byte path shows 4-byte ASNs as AS_TRANS; AS4_PATH has the real ones (RFC 6793).
      for (RibEntry* e : {&first, &second}) {
        const auto& asns = e->as_path[0].asns;
        if (std::none_of(asns.begin(), asns.end(), [](std::uint32_t a) { return a > 0xffff; })) continue;
        e->as4_path = e->as_path;
        for (auto& asn : e->as_path[0].asns) asn = asn > 0xffff ? 23456 : asn;
      }
      w.table_dump(pfx(row.prefix), first);
      w.table_dump(pfx(row.prefix), second);
    } else {
      w.rib(pfx(row.prefix), {first, second}, format == RibFormat::table_dump_v2_addpath);
    }
  }
  // An aggregate whose origin is an AS_SET: the lowest member is taken.
  RibEntry aggregate;
  aggregate.as_path = {as_seq({64500}), as_set({64509, 64505, 64507})};
  if (format == RibFormat::table_dump)
    w.table_dump(pfx("198.51.100.128/25"), aggregate);
  else
    w.rib(pfx("198.51.100.128/25"), {aggregate}, format == RibFormat::table_dump_v2_addpath);
  return w;
}

std::uint64_t write_synthetic_rib(const std::string& path, Packing packing,
                                  const SyntheticRibOptions& options) {
  std::mt19937_64 rng(options.seed);
  std::vector<Prefix> prefixes = random_prefixes(rng, options.v4, options.v6);
  std::vector<std::uint32_t> peer_as(options.peers);
  for (auto& a : peer_as) a = random_asn(rng);

  PackedFile out(path, packing);
  MrtWriter w(1700000000);
  w.peer_index_table(static_cast<std::uint16_t>(options.peers));
  std::uint64_t size = 0;
  std::vector<RibEntry> entries(options.peers);
  std::uniform_int_distribution<unsigned> transit_count(0, 3);
  for (const Prefix& p : prefixes) {
    const std::uint32_t origin = random_asn(rng);
    const std::uint32_t upstream = random_asn(rng);
    for (unsigned i = 0; i < options.peers; ++i) {
      std::vector<std::uint32_t> as_path{peer_as[i]};
      for (unsigned t = transit_count(rng); t > 0; --t) as_path.push_back(random_asn(rng));
      as_path.push_back(upstream);
      as_path.push_back(origin);
      if (rng() % 8 == 0) as_path.push_back(origin);  // prepending
      entries[i] = path_entry(std::move(as_path), static_cast<std::uint16_t>(i));
    }
    w.rib(p, entries);
    if (w.bytes().size() > (4U << 20)) {
      size += w.bytes().size();
      out.write(w.take());
    }
  }
  size += w.bytes().size();
  out.write(w.take());
  out.close();
  return size;
}

Packing packing_for(const std::string& path) {
  auto ends = [&](const char* s) {
    std::string suffix(s);
    return path.size() >= suffix.size() &&
           path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends(".gz")) return Packing::gzip;
  if (ends(".bz2")) return Packing::bzip2;
  return Packing::plain;
}

}  // namespace asncounter::test
