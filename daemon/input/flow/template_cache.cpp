#include "daemon/input/flow/template_cache.hpp"

#include <iterator>

namespace asncounter::flow {
namespace {

std::size_t mix(std::size_t h, std::uint64_t v) noexcept {
  // splitmix64's finaliser: cheap and spreads every input bit.
  std::uint64_t x = h ^ (v + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2));
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return static_cast<std::size_t>(x ^ (x >> 31));
}

std::size_t hash_address(const Address& a) noexcept {
  return a.is_v4() ? mix(4, a.v4) : mix(mix(6, a.v6.hi), a.v6.lo);
}

}  // namespace

Role role_of(std::uint16_t element_id) noexcept {
  switch (element_id) {
    case 1:
      return Role::octets;
    case 2:
      return Role::packets;
    case 8:
      return Role::src4;
    case 12:
      return Role::dst4;
    case 27:
      return Role::src6;
    case 28:
      return Role::dst6;
    case 23:
    case 85:
      return Role::octets_alt;
    case 24:
    case 86:
      return Role::packets_alt;
    case 34:
    case 50:
      return Role::sampling_interval;
    case 305:
      return Role::packet_interval;
    case 306:
      return Role::packet_space;
    case 309:
      return Role::sampling_size;
    case 310:
      return Role::sampling_population;
    default:
      return Role::none;
  }
}

std::size_t TemplateCache::AddressHash::operator()(const Address& a) const noexcept {
  return hash_address(a);
}

const Template* TemplateCache::find(const Address& exporter, std::uint64_t domain, std::uint16_t id,
                                    std::int64_t now) const noexcept {
  const auto e = exporters_.find(exporter);
  if (e == exporters_.end()) return nullptr;
  const auto d = e->second.domains.find(domain);
  if (d == e->second.domains.end()) return nullptr;
  const auto it = d->second.by_id.find(id);
  if (it == d->second.by_id.end() || now - it->second->t.refreshed > limits_.ttl_seconds) return nullptr;
  return &it->second->t;
}

// Room is made only within the exporter's own quotas, from its own oldest
// templates: nothing another exporter sends can push these out. Nothing
// here walks more than one exporter's templates.
bool TemplateCache::insert(const Address& exporter, std::uint64_t domain, std::uint16_t id, Template&& t,
                           std::int64_t now) {
  t.refreshed = now;
  auto e = exporters_.find(exporter);
  if (e == exporters_.end()) {
    if (exporters_.size() >= limits_.exporters) return false;
    e = exporters_.try_emplace(exporter).first;
  }
  Exporter& ex = e->second;
  Domain& d = ex.domains[domain];
  if (const auto it = d.by_id.find(id); it != d.by_id.end())
    erase(ex, d, it->second);  // refreshed: to the back
  while (d.by_id.size() >= limits_.per_domain) evict_oldest(ex, domain, &d);
  while (ex.templates > 0 &&
         (ex.templates >= limits_.per_exporter || ex.fields + t.fields.size() > limits_.fields_per_exporter))
    evict_oldest(ex, domain, nullptr);
  const std::size_t fields = t.fields.size();
  // `d` is still in the map: evict_oldest keeps the domain being filled.
  d.order.push_back(Entry{id, std::move(t)});
  d.by_id[id] = std::prev(d.order.end());
  ++ex.templates;
  ex.fields += fields;
  ++size_;
  return true;
}

void TemplateCache::erase(Exporter& e, Domain& d, std::list<Entry>::iterator it) noexcept {
  e.fields -= it->t.fields.size();
  --e.templates;
  --size_;
  d.by_id.erase(it->id);
  d.order.erase(it);
}

void TemplateCache::evict_oldest(Exporter& e, std::uint64_t keep, Domain* only) noexcept {
  if (only) {
    if (!only->order.empty()) erase(e, *only, only->order.begin());
    return;
  }
  // The domain whose oldest template is oldest: one look per domain.
  auto from = e.domains.end();
  for (auto d = e.domains.begin(); d != e.domains.end(); ++d)
    if (!d->second.order.empty() && (from == e.domains.end() || d->second.order.front().t.refreshed <
                                                                    from->second.order.front().t.refreshed))
      from = d;
  if (from == e.domains.end()) return;
  erase(e, from->second, from->second.order.begin());
  if (from->second.order.empty() && from->first != keep) e.domains.erase(from);
}

void TemplateCache::tidy(std::unordered_map<Address, Exporter, AddressHash>::iterator it,
                         std::uint64_t domain) noexcept {
  Exporter& e = it->second;
  if (const auto d = e.domains.find(domain); d != e.domains.end() && d->second.order.empty())
    e.domains.erase(d);
  if (e.domains.empty()) exporters_.erase(it);
}

void TemplateCache::withdraw(const Address& exporter, std::uint64_t domain, std::uint16_t id) noexcept {
  const auto e = exporters_.find(exporter);
  if (e == exporters_.end()) return;
  const auto d = e->second.domains.find(domain);
  if (d == e->second.domains.end()) return;
  if (const auto it = d->second.by_id.find(id); it != d->second.by_id.end())
    erase(e->second, d->second, it->second);
  tidy(e, domain);
}

// Walks the one domain's templates only, never the whole cache.
void TemplateCache::withdraw_all(const Address& exporter, std::uint64_t domain, bool options) noexcept {
  const auto e = exporters_.find(exporter);
  if (e == exporters_.end()) return;
  const auto d = e->second.domains.find(domain);
  if (d == e->second.domains.end()) return;
  for (auto it = d->second.order.begin(); it != d->second.order.end();) {
    const auto next = std::next(it);
    if (it->t.options == options) erase(e->second, d->second, it);
    it = next;
  }
  tidy(e, domain);
}

// Each domain keeps its templates oldest refresh first, so expiry stops at
// the first young one: the cost is the templates dropped plus one look per
// domain, whatever the cache holds.
void TemplateCache::expire(std::int64_t now) noexcept {
  for (auto e = exporters_.begin(); e != exporters_.end();) {
    Exporter& ex = e->second;
    for (auto d = ex.domains.begin(); d != ex.domains.end();) {
      Domain& dom = d->second;
      while (!dom.order.empty() && now - dom.order.front().t.refreshed > limits_.ttl_seconds)
        erase(ex, dom, dom.order.begin());
      d = dom.order.empty() ? ex.domains.erase(d) : std::next(d);
    }
    e = ex.domains.empty() ? exporters_.erase(e) : std::next(e);
  }
}

std::uint32_t TemplateCache::sampling(const Address& exporter, std::uint64_t domain) const noexcept {
  const auto e = exporters_.find(exporter);
  if (e == exporters_.end()) return 0;
  const auto d = e->second.domains.find(domain);
  return d == e->second.domains.end() ? 0 : d->second.sampling;
}

// Kept with the domain's templates, so bounded like them: a domain without
// templates (none learned, or refused) keeps no rate.
void TemplateCache::set_sampling(const Address& exporter, std::uint64_t domain, std::uint32_t rate) {
  const auto e = exporters_.find(exporter);
  if (e == exporters_.end()) return;
  const auto d = e->second.domains.find(domain);
  if (d != e->second.domains.end()) d->second.sampling = rate;
}

std::size_t TemplateCache::size_for(const Address& exporter) const noexcept {
  const auto it = exporters_.find(exporter);
  return it == exporters_.end() ? 0 : it->second.templates;
}

}  // namespace asncounter::flow
