#include "common/table/lpm_table.hpp"

#include <algorithm>
#include <ctime>
#include <tuple>
#include <utility>

#include "common/table/lpm_parts.hpp"
#include "common/table/lpm_ranges.hpp"
#include "common/table/lpm_v4.hpp"
#include "common/table/lpm_v6.hpp"

namespace asncounter {
namespace {

using lpm::U128;

U128 to_u128(const V6& v) { return (static_cast<U128>(v.hi) << 64) | v.lo; }

std::uint32_t v4_mask(unsigned len) { return len == 0 ? 0 : ~0U << (32 - len); }
U128 v6_mask(unsigned len) { return len == 0 ? U128{0} : ~U128{0} << (128 - len); }

bool is_mapped_v4(const V6& v) { return v.hi == 0 && (v.lo >> 32) == 0xffff; }

// A route of one family, with its position in the input (the tie-breaker
// that makes the first route for a prefix win).
template <class Key>
struct Staged {
  Key addr;
  std::uint32_t asn;
  std::uint32_t order;
  std::uint8_t len;
};

// Sorts by (address, length, input order) and keeps the first route of each
// prefix. Address then length is also "covering prefix first", the order
// lpm::flatten wants. Sources are usually sorted already: skip the sort then.
template <class Key>
void sort_unique(std::vector<Staged<Key>>& v) {
  auto less = [](const Staged<Key>& a, const Staged<Key>& b) {
    return std::tie(a.addr, a.len, a.order) < std::tie(b.addr, b.len, b.order);
  };
  if (!std::is_sorted(v.begin(), v.end(), less)) std::sort(v.begin(), v.end(), less);
  auto same = [](const Staged<Key>& a, const Staged<Key>& b) { return a.addr == b.addr && a.len == b.len; };
  v.erase(std::unique(v.begin(), v.end(), same), v.end());
}

// Frees a vector's memory now (`v = {}` would keep its capacity).
template <class T>
void release(std::vector<T>& v) {
  std::vector<T>().swap(v);
}

// Events are taken in windows of this many: the IPv6 ones among them walk
// their index together, so their memory accesses overlap.
constexpr std::size_t kWindow = 64;

}  // namespace

struct LpmTable::Impl {
  TableInfo info;
  // What a built table owns (empty for one over a mapped cache: `owner`).
  std::vector<std::uint32_t> asns_own{0};
  std::vector<std::uint8_t> lens_own{0};
  std::vector<std::uint32_t> v4_own;
  std::vector<V6> v6_own;
  std::shared_ptr<const void> owner;
  // What every reader uses.
  std::span<const std::uint32_t> asns;      ///< by id; [0] is the unrouted id
  std::span<const std::uint8_t> lens;       ///< by id
  std::span<const std::uint32_t> v4_addrs;  ///< by id - 1
  std::span<const V6> v6_addrs;             ///< by id - 1 - v4_addrs.size()
  lpm::V4Index v4;
  lpm::V6Ranges v6;
  LpmParts parts;

  Impl() { bind(); }
  explicit Impl(const LpmParts& p)
      : asns(p.asns),
        lens(p.lens),
        v4_addrs(p.v4_addrs),
        v6_addrs(p.v6_addrs),
        v4(p.v4),
        v6(p.v6),
        parts(p) {}
  void bind() noexcept {
    asns = asns_own;
    lens = lens_own;
    v4_addrs = v4_own;
    v6_addrs = v6_own;
    parts = {asns, lens, v4_addrs, v6_addrs, v4.parts(), v6.parts()};
  }

  PrefixId lookup(const Address& a) const noexcept {
    if (a.family == Family::v4) return v4.lookup(a.v4);
    if (is_mapped_v4(a.v6)) return v4.lookup(static_cast<std::uint32_t>(a.v6.lo));
    return v6.lookup(to_u128(a.v6));
  }
};

std::shared_ptr<const LpmTable> LpmTable::build(const std::vector<Route>& routes, TableInfo info) {
  std::vector<Staged<std::uint32_t>> r4;
  std::vector<Staged<U128>> r6;
  std::uint32_t order = 0;
  for (const Route& r : routes) {
    ++order;
    if (r.prefix.len == 0) continue;  // default routes say nothing about origin
    if (r.prefix.addr.family == Family::v4) {
      unsigned len = std::min<unsigned>(r.prefix.len, 32);
      r4.push_back({r.prefix.addr.v4 & v4_mask(len), r.asn, order, static_cast<std::uint8_t>(len)});
    } else {
      unsigned len = std::min<unsigned>(r.prefix.len, 128);
      r6.push_back({to_u128(r.prefix.addr.v6) & v6_mask(len), r.asn, order, static_cast<std::uint8_t>(len)});
    }
  }
  sort_unique(r4);
  sort_unique(r6);

  auto impl = std::make_unique<Impl>();
  impl->info = std::move(info);
  if (impl->info.loaded_at == 0) impl->info.loaded_at = static_cast<std::int64_t>(std::time(nullptr));
  std::size_t n = r4.size() + r6.size();
  impl->asns_own.reserve(n + 1);
  impl->lens_own.reserve(n + 1);
  impl->v4_own.reserve(r4.size());
  impl->v6_own.reserve(r6.size());

  std::vector<lpm::Interval<std::uint32_t>> iv4;
  iv4.reserve(r4.size());
  for (const auto& r : r4) {
    auto id = static_cast<PrefixId>(impl->asns_own.size());
    impl->asns_own.push_back(r.asn);
    impl->lens_own.push_back(r.len);
    impl->v4_own.push_back(r.addr);
    iv4.push_back({r.addr, r.addr | ~v4_mask(r.len), id});
  }
  release(r4);
  impl->v4 = lpm::V4Index(lpm::flatten(iv4));
  release(iv4);

  std::vector<lpm::Interval<U128>> iv6;
  iv6.reserve(r6.size());
  for (const auto& r : r6) {
    auto id = static_cast<PrefixId>(impl->asns_own.size());
    impl->asns_own.push_back(r.asn);
    impl->lens_own.push_back(r.len);
    impl->v6_own.push_back(V6{static_cast<std::uint64_t>(r.addr >> 64), static_cast<std::uint64_t>(r.addr)});
    iv6.push_back({r.addr, r.addr | ~v6_mask(r.len), id});
  }
  release(r6);
  impl->v6 = lpm::V6Ranges(lpm::flatten(iv6));
  impl->bind();
  return std::shared_ptr<const LpmTable>(new LpmTable(std::move(impl)));
}

std::shared_ptr<const LpmTable> LpmTable::empty() {
  auto impl = std::make_unique<Impl>();
  return std::shared_ptr<const LpmTable>(new LpmTable(std::move(impl)));
}

std::shared_ptr<const LpmTable> LpmTable::from_parts(const LpmParts& parts, TableInfo info,
                                                     std::shared_ptr<const void> owner) {
  auto impl = std::make_unique<Impl>(parts);
  impl->info = std::move(info);
  impl->owner = std::move(owner);
  return std::shared_ptr<const LpmTable>(new LpmTable(std::move(impl)));
}

LpmTable::LpmTable(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LpmTable::~LpmTable() = default;

ASNCOUNTER_POPCNT_CLONES
PrefixId LpmTable::lookup_id(const Address& a) const noexcept { return impl_->lookup(a); }

ASNCOUNTER_POPCNT_CLONES
PrefixId LpmTable::lookup_v4(std::uint32_t a) const noexcept { return impl_->v4.lookup(a); }

ASNCOUNTER_POPCNT_CLONES
void LpmTable::lookup_ids(std::span<const Address> in, std::span<PrefixId> out) const noexcept {
  const Impl& t = *impl_;
  std::size_t n = std::min(in.size(), out.size());
  // Per window, each family's events: their position in the window, key and
  // progress.
  std::uint8_t v4_events[kWindow];
  std::uint32_t key4[kWindow];
  const std::uint32_t* answer4[kWindow];
  std::uint8_t v6_events[kWindow];
  std::uint8_t walking[kWindow];
  U128 key6[kWindow];
  lpm::V6Ranges::Cursor cursor[kWindow];
  lpm::V6Ranges::Bucket bucket[kWindow];
  for (std::size_t base = 0; base < n; base += kWindow) {
    std::size_t m = std::min(kWindow, n - base);
    // Stage 1: sort the events by family and start loading the first level
    // of each.
    std::size_t v4_count = 0;
    std::size_t v6_count = 0;
    for (std::size_t k = 0; k < m; ++k) {
      const Address& a = in[base + k];
      if (a.family == Family::v4 || is_mapped_v4(a.v6)) {
        key4[v4_count] = a.family == Family::v4 ? a.v4 : static_cast<std::uint32_t>(a.v6.lo);
        t.v4.prefetch_slot(key4[v4_count]);
        v4_events[v4_count++] = static_cast<std::uint8_t>(k);
      } else {
        key6[v6_count] = to_u128(a.v6);
        cursor[v6_count] = t.v6.start(key6[v6_count]);
        walking[v6_count] = static_cast<std::uint8_t>(v6_count);
        v6_events[v6_count++] = static_cast<std::uint8_t>(k);
      }
    }
    // Stage 2: IPv4 events read their slot and start loading their answer.
    // With a small table the slots are in cache anyway; with a full one
    // this keeps the accesses of a whole window in flight (lookups inside a
    // 1M-prefix table ran 20-40% faster than with one lookup after another).
    for (std::size_t j = 0; j < v4_count; ++j) {
      answer4[j] = t.v4.answer_of(key4[j]);
      __builtin_prefetch(answer4[j]);
    }
    // IPv6 events walk their index in lockstep, one level per pass, so the
    // loads of a level overlap; each then starts loading its ranges.
    for (std::size_t still = v6_count; still > 0;) {
      std::size_t next = 0;
      for (std::size_t w = 0; w < still; ++w) {
        std::size_t j = walking[w];
        if (t.v6.step(cursor[j], key6[j])) {
          walking[next++] = static_cast<std::uint8_t>(j);
        } else {
          bucket[j] = lpm::V6Ranges::bucket(cursor[j]);
          t.v6.prefetch_bucket(bucket[j]);
        }
      }
      still = next;
    }
    // Stage 3: the answers, from memory that is (mostly) in cache by now.
    for (std::size_t j = 0; j < v4_count; ++j) out[base + v4_events[j]] = t.v4.resolve(answer4[j], key4[j]);
    for (std::size_t j = 0; j < v6_count; ++j) out[base + v6_events[j]] = t.v6.search(bucket[j], key6[j]);
  }
}

ASNCOUNTER_POPCNT_CLONES
std::optional<Match> LpmTable::lookup(const Address& a) const noexcept {
  PrefixId id = impl_->lookup(a);
  if (id == kUnrouted) return std::nullopt;
  return Match{prefix(id), impl_->asns[id], id};
}

std::size_t LpmTable::prefix_count() const noexcept { return impl_->asns.size() - 1; }
std::size_t LpmTable::v4_prefix_count() const noexcept { return impl_->v4_addrs.size(); }
std::size_t LpmTable::v6_prefix_count() const noexcept { return impl_->v6_addrs.size(); }

Prefix LpmTable::prefix(PrefixId id) const noexcept {
  const Impl& t = *impl_;
  if (id == kUnrouted || id >= t.asns.size()) return Prefix{};
  if (id <= t.v4_addrs.size()) return Prefix{Address::from_v4(t.v4_addrs[id - 1]), t.lens[id]};
  return Prefix{Address::from_v6(t.v6_addrs[id - 1 - t.v4_addrs.size()]), t.lens[id]};
}

std::uint32_t LpmTable::asn(PrefixId id) const noexcept {
  return id < impl_->asns.size() ? impl_->asns[id] : 0;
}

std::vector<Prefix> LpmTable::as_prefixes(std::uint32_t asn) const {
  // Ids follow the sort order (v4 first, then address, then length), so a
  // scan yields them sorted; an index per ASN would cost 4 bytes per prefix
  // for a query that is rare and takes about a millisecond this way.
  std::vector<Prefix> out;
  const auto& asns = impl_->asns;
  for (std::size_t id = 1; id < asns.size(); ++id)
    if (asns[id] == asn) out.push_back(prefix(static_cast<PrefixId>(id)));
  return out;
}

std::vector<Route> LpmTable::routes() const {
  std::vector<Route> out;
  out.reserve(prefix_count());
  for (std::size_t id = 1; id < impl_->asns.size(); ++id)
    out.push_back(Route{prefix(static_cast<PrefixId>(id)), impl_->asns[id]});
  return out;
}

const TableInfo& LpmTable::info() const noexcept { return impl_->info; }

std::size_t LpmTable::memory_bytes() const noexcept {
  const Impl& t = *impl_;
  return t.asns.size_bytes() + t.lens.size_bytes() + t.v4_addrs.size_bytes() + t.v6_addrs.size_bytes() +
         t.v4.memory_bytes() + t.v6.memory_bytes();
}

const LpmParts& LpmTable::parts() const noexcept { return impl_->parts; }

}  // namespace asncounter
