#pragma once
// One UDP port's worth of flow decoding: the NetFlow port tells v5, v9 and
// IPFIX apart by each datagram's version field, the sFlow port reads sFlow
// v5; both keep per-exporter stats (bounded: past a cap, new exporters share
// one "other" entry) and count sequence gaps from the headers.

#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "common/ip.hpp"
#include "daemon/input/flow/flow_record.hpp"
#include "daemon/input/flow/template_cache.hpp"

namespace asncounter::flow {

/// Decodes a datagram of the NetFlow port: v5, v9 or IPFIX by its first two
/// bytes; anything else is bad_version.
DecodeResult decode_netflow(std::span<const std::uint8_t> datagram, const Address& exporter,
                            TemplateCache& cache, std::int64_t now, std::vector<FlowRecord>& out) noexcept;

enum class FlowPort : std::uint8_t { sflow, netflow };

class FlowCollector {
 public:
  struct Limits {
    std::size_t max_exporters = 1024;  ///< exporters with stats of their own
    std::size_t max_domains = 64;      ///< sequence streams per exporter (source ids, sub-agents)
    TemplateLimits templates;
  };

  explicit FlowCollector(FlowPort port) : FlowCollector(port, Limits{}) {}
  FlowCollector(FlowPort port, Limits limits) : port_(port), limits_(limits), cache_(limits.templates) {}

  /// Decodes one datagram from `exporter`, appends its records to `out` and
  /// updates the exporter's stats. `now` is in seconds (template expiry).
  DecodeResult receive(const Address& exporter, std::span<const std::uint8_t> datagram, std::int64_t now,
                       std::vector<FlowRecord>& out);

  /// The exporter's stats, or null when it has sent nothing (or is counted under other_stats()).
  const ExporterStats* stats(const Address& exporter) const;
  /// Exporters that came after the cap, together.
  const ExporterStats& other_stats() const { return other_.stats; }
  /// Visits every exporter with stats of its own.
  template <class F>
  void for_each(F&& f) const {
    for (const auto& [address, e] : exporters_) f(address, e.stats);
  }
  std::size_t exporters() const { return exporters_.size(); }
  const TemplateCache& templates() const { return cache_; }
  TemplateCache& templates() { return cache_; }

 private:
  struct Stream {
    std::uint64_t key = 0;  // version << 32 | domain
    std::uint32_t expected = 0;
    bool known = false;
  };
  struct Exporter {
    ExporterStats stats;
    std::vector<Stream> streams;
  };
  struct AddressHash {
    std::size_t operator()(const Address& a) const noexcept;
  };

  FlowPort port_;
  Limits limits_;
  TemplateCache cache_;
  std::unordered_map<Address, Exporter, AddressHash> exporters_;
  Exporter other_;

  Exporter& exporter(const Address& a);
  void track_sequence(Exporter& e, std::uint32_t version, const DecodeResult& r);
};

}  // namespace asncounter::flow
