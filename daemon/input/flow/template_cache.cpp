#include "daemon/input/flow/template_cache.hpp"

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

std::size_t TemplateCache::KeyHash::operator()(const Key& k) const noexcept {
  return mix(mix(hash_address(k.exporter), k.domain), k.id);
}

std::size_t TemplateCache::AddressHash::operator()(const Address& a) const noexcept {
  return hash_address(a);
}

const Template* TemplateCache::find(const Address& exporter, std::uint64_t domain, std::uint16_t id,
                                    std::int64_t now) const noexcept {
  const auto it = templates_.find(Key{exporter, domain, id});
  if (it == templates_.end() || now - it->second.refreshed > limits_.ttl_seconds) return nullptr;
  return &it->second;
}

bool TemplateCache::insert(const Address& exporter, std::uint64_t domain, std::uint16_t id, Template&& t,
                           std::int64_t now) {
  t.refreshed = now;
  const Key key{exporter, domain, id};
  if (const auto it = templates_.find(key); it != templates_.end()) {
    it->second = std::move(t);  // a refresh or a redefinition never needs room
    return true;
  }
  auto full = [&] {
    const auto pe = per_exporter_.find(exporter);
    return templates_.size() >= limits_.total ||
           (pe != per_exporter_.end() && pe->second >= limits_.per_exporter);
  };
  if (full()) expire(now);
  if (full()) return false;
  templates_.emplace(key, std::move(t));
  ++per_exporter_[exporter];
  return true;
}

void TemplateCache::erase(std::unordered_map<Key, Template, KeyHash>::iterator it) noexcept {
  const auto pe = per_exporter_.find(it->first.exporter);
  if (pe != per_exporter_.end() && --pe->second == 0) per_exporter_.erase(pe);
  templates_.erase(it);
}

void TemplateCache::withdraw(const Address& exporter, std::uint64_t domain, std::uint16_t id) noexcept {
  const auto it = templates_.find(Key{exporter, domain, id});
  if (it != templates_.end()) erase(it);
}

void TemplateCache::withdraw_all(const Address& exporter, std::uint64_t domain, bool options) noexcept {
  for (auto it = templates_.begin(); it != templates_.end();) {
    const auto next = std::next(it);
    if (it->first.exporter == exporter && it->first.domain == domain && it->second.options == options)
      erase(it);
    it = next;
  }
}

void TemplateCache::expire(std::int64_t now) noexcept {
  for (auto it = templates_.begin(); it != templates_.end();) {
    const auto next = std::next(it);
    if (now - it->second.refreshed > limits_.ttl_seconds) erase(it);
    it = next;
  }
}

std::uint32_t TemplateCache::sampling(const Address& exporter, std::uint64_t domain) const noexcept {
  const auto it = sampling_.find(Key{exporter, domain, 0});
  return it == sampling_.end() ? 0 : it->second;
}

void TemplateCache::set_sampling(const Address& exporter, std::uint64_t domain, std::uint32_t rate) {
  const Key key{exporter, domain, 0};
  if (const auto it = sampling_.find(key); it != sampling_.end()) {
    it->second = rate;
    return;
  }
  // One entry per domain that has templates at most: the same bound as the templates.
  if (sampling_.size() >= limits_.total) return;
  sampling_.emplace(key, rate);
}

std::size_t TemplateCache::size_for(const Address& exporter) const noexcept {
  const auto it = per_exporter_.find(exporter);
  return it == per_exporter_.end() ? 0 : it->second;
}

}  // namespace asncounter::flow
