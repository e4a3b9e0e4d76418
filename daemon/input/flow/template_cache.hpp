#pragma once
// NetFlow v9 and IPFIX templates, kept per (exporter, source id or
// observation domain, template id), replaced when the exporter resends them,
// withdrawn when it says so (IPFIX), expired when it stops refreshing them.
// Memory is bounded: a cap per exporter and one overall, so a flood of
// templates from one exporter is refused (and counted) instead of growing.

#include <cstddef>
#include <cstdint>
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

/// Bounds of the cache; defaults fit routers with many line cards.
struct TemplateLimits {
  std::size_t per_exporter = 512;   ///< templates one exporter address may hold
  std::size_t total = 16384;        ///< templates overall
  std::size_t max_fields = 512;     ///< fields in one template (real ones have < 100)
  std::int64_t ttl_seconds = 3600;  ///< a template not refreshed for this long is dropped
};

/// Field roles for an (enterprise 0) information element id.
Role role_of(std::uint16_t element_id) noexcept;

class TemplateCache {
 public:
  explicit TemplateCache(TemplateLimits limits = {}) : limits_(limits) {}

  /// The template, or null when unknown, withdrawn or expired.
  const Template* find(const Address& exporter, std::uint64_t domain, std::uint16_t id,
                       std::int64_t now) const noexcept;
  /// Adds or replaces a template; false (nothing stored) when a cap is reached
  /// even after dropping expired templates.
  bool insert(const Address& exporter, std::uint64_t domain, std::uint16_t id, Template&& t,
              std::int64_t now);
  /// Withdraws one template (IPFIX field count 0).
  void withdraw(const Address& exporter, std::uint64_t domain, std::uint16_t id) noexcept;
  /// Withdraws every template of the domain, of the options kind or the other (IPFIX "all").
  void withdraw_all(const Address& exporter, std::uint64_t domain, bool options) noexcept;
  /// Drops templates older than the TTL.
  void expire(std::int64_t now) noexcept;

  /// The sampling rate the domain's options data announced, 0 when none.
  std::uint32_t sampling(const Address& exporter, std::uint64_t domain) const noexcept;
  /// Records the rate options data announced (bounded like the templates).
  void set_sampling(const Address& exporter, std::uint64_t domain, std::uint32_t rate);

  /// Templates held overall and for one exporter.
  std::size_t size() const noexcept { return templates_.size(); }
  std::size_t size_for(const Address& exporter) const noexcept;
  const TemplateLimits& limits() const noexcept { return limits_; }

 private:
  struct Key {
    Address exporter;
    std::uint64_t domain;
    std::uint16_t id;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept;
  };
  struct AddressHash {
    std::size_t operator()(const Address& a) const noexcept;
  };

  TemplateLimits limits_;
  std::unordered_map<Key, Template, KeyHash> templates_;
  std::unordered_map<Address, std::size_t, AddressHash> per_exporter_;
  std::unordered_map<Key, std::uint32_t, KeyHash> sampling_;  // id unused (0)

  void erase(std::unordered_map<Key, Template, KeyHash>::iterator it) noexcept;
};

}  // namespace asncounter::flow
