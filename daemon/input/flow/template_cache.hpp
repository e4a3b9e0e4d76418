#pragma once
// NetFlow v9 and IPFIX templates, kept per (exporter, source id or
// observation domain, template id), replaced when the exporter resends them,
// withdrawn when it says so (IPFIX), expired when it stops refreshing them.
// Memory is bounded by quotas per (exporter, domain) and per exporter, each
// making room by dropping that exporter's least recently refreshed template,
// and by a cap on exporters holding templates: a flood from some addresses
// never takes the room of another exporter.

#include <cstddef>
#include <cstdint>
#include <list>
#include <unordered_map>
#include <vector>

#include "common/ip.hpp"

namespace asncounter::flow {

/// What a template field is used for; everything else is skipped by length.
enum class Role : std::uint8_t {
  none,
  src4,
  dst4,
  src6,
  dst6,
  octets,             ///< octetDeltaCount / IN_BYTES (1)
  packets,            ///< packetDeltaCount / IN_PKTS (2)
  octets_alt,         ///< OUT_BYTES / postOctetDeltaCount (23), octetTotalCount (85): used when 1 is absent
  packets_alt,        ///< OUT_PKTS / postPacketDeltaCount (24), packetTotalCount (86): used when 2 is absent
  sampling_interval,  ///< samplingInterval (34), samplerRandomInterval (50): 1 in N
  packet_interval,    ///< samplingPacketInterval (305): packets taken in a row
  packet_space,       ///< samplingPacketSpace (306): packets skipped after them
  sampling_size,      ///< samplingSize (309)
  sampling_population,  ///< samplingPopulation (310)
};

/// One field of a template as the data records lay it out.
struct TemplateField {
  std::uint16_t length = 0;  ///< bytes, or kVariableLength (IPFIX)
  Role role = Role::none;
};

inline constexpr std::uint16_t kVariableLength = 65535;

/// A decoded template, ready for walking data records.
struct Template {
  std::vector<TemplateField> fields;
  std::size_t min_length = 0;  ///< a record's fixed bytes (+1 per variable-length field)
  bool variable = false;       ///< holds a variable-length field: offsets differ per record
  bool options = false;        ///< an options template: its data describes the exporter
  std::int64_t refreshed = 0;  ///< when the exporter last sent it (seconds)
};

/// Bounds of the cache; defaults fit routers with many line cards. Each
/// exporter has a quota of its own, so no exporter can take another's room.
struct TemplateLimits {
  std::size_t per_domain = 128;    ///< templates of one (exporter, domain); the least recently refreshed goes
  std::size_t per_exporter = 512;  ///< templates of one exporter over its domains; likewise
  std::size_t fields_per_exporter = 32768;  ///< fields of one exporter's templates (128 KiB); likewise
  std::size_t exporters = 256;              ///< exporters holding templates; a new one past this is refused
  std::size_t max_fields = 512;             ///< fields in one template (real ones have < 100)
  std::int64_t ttl_seconds = 3600;          ///< a template not refreshed for this long is dropped
  /// Templates overall, at most.
  std::size_t total() const noexcept { return per_exporter * exporters; }
};

/// Field roles for an (enterprise 0) information element id.
Role role_of(std::uint16_t element_id) noexcept;

class TemplateCache {
 public:
  explicit TemplateCache(TemplateLimits limits = {}) : limits_(limits) {}

  /// The template, or null when unknown, withdrawn or expired.
  const Template* find(const Address& exporter, std::uint64_t domain, std::uint16_t id,
                       std::int64_t now) const noexcept;
  /// Adds or replaces a template, making room within the exporter's own
  /// quotas by dropping its least recently refreshed; false (nothing stored)
  /// only when the exporter is new and `exporters` hold templates already.
  bool insert(const Address& exporter, std::uint64_t domain, std::uint16_t id, Template&& t,
              std::int64_t now);
  /// Withdraws one template (IPFIX field count 0).
  void withdraw(const Address& exporter, std::uint64_t domain, std::uint16_t id) noexcept;
  /// Withdraws every template of the domain, of the options kind or the other (IPFIX "all").
  void withdraw_all(const Address& exporter, std::uint64_t domain, bool options) noexcept;
  /// Drops templates older than the TTL; costs the templates dropped plus
  /// one look per domain (the daemon calls it on a timer).
  void expire(std::int64_t now) noexcept;

  /// The sampling rate the domain's options data announced, 0 when none.
  std::uint32_t sampling(const Address& exporter, std::uint64_t domain) const noexcept;
  /// Records the rate options data announced (kept while the domain holds templates).
  void set_sampling(const Address& exporter, std::uint64_t domain, std::uint32_t rate);

  /// Templates held overall and for one exporter.
  std::size_t size() const noexcept { return size_; }
  std::size_t size_for(const Address& exporter) const noexcept;
  /// Exporters holding templates.
  std::size_t exporters() const noexcept { return exporters_.size(); }
  const TemplateLimits& limits() const noexcept { return limits_; }

 private:
  struct Entry {
    std::uint16_t id;
    Template t;
  };
  // One (exporter, domain): its templates oldest refresh first, and by id.
  struct Domain {
    std::list<Entry> order;
    std::unordered_map<std::uint16_t, std::list<Entry>::iterator> by_id;
    std::uint32_t sampling = 0;
  };
  struct Exporter {
    std::unordered_map<std::uint64_t, Domain> domains;
    std::size_t templates = 0;
    std::size_t fields = 0;
  };
  struct AddressHash {
    std::size_t operator()(const Address& a) const noexcept;
  };

  TemplateLimits limits_;
  std::unordered_map<Address, Exporter, AddressHash> exporters_;
  std::size_t size_ = 0;

  void erase(Exporter& e, Domain& d, std::list<Entry>::iterator it) noexcept;
  /// Drops `e`'s least recently refreshed template (in `only` when given),
  /// and the domain it leaves empty unless that is `keep`.
  void evict_oldest(Exporter& e, std::uint64_t keep, Domain* only) noexcept;
  /// Forgets empty domains and exporters under `it`.
  void tidy(std::unordered_map<Address, Exporter, AddressHash>::iterator it, std::uint64_t domain) noexcept;
};

}  // namespace asncounter::flow
