#pragma once
// One UDP port's worth of flow decoding: each datagram goes to its
// version's decoder (daemon/input/flow/flow_decoders.hpp); both ports keep
// per-exporter stats (bounded: past a cap, new exporters share one "other"
// entry) and count sequence gaps from the headers.

#include <cstdint>
#include <functional>
#include <span>
#include <unordered_map>
#include <vector>

#include "common/ip.hpp"
#include "daemon/input/flow/flow_decoders.hpp"
#include "daemon/input/flow/flow_record.hpp"
#include "daemon/input/flow/record_bounds.hpp"
#include "daemon/input/flow/template_cache.hpp"

namespace asncounter::flow {

class FlowCollector {
 public:
  struct Limits {
    std::size_t max_exporters = 1024;  ///< exporters with stats of their own
    std::size_t max_domains = 64;      ///< sequence streams per exporter (source ids, sub-agents)
    std::int64_t idle_seconds = 60;    ///< a slot silent this long may go to a new exporter
    TemplateLimits templates;
    RecordBounds records;                     ///< ceilings past which a record is refused
    std::vector<SamplingOverride> overrides;  ///< rates the operator sets per exporter
  };
  /// Told when an exporter with a slot of its own announces a new rate (from, to).
  using RateChange = std::function<void(const Address&, std::uint32_t, std::uint32_t)>;

  explicit FlowCollector(FlowPort port) : FlowCollector(port, Limits{}) {}
  FlowCollector(FlowPort port, Limits limits) : port_(port), limits_(limits), cache_(limits.templates) {}

  /// Decodes one datagram from `exporter`, appends its records to `out` and
  /// updates the exporter's stats. `now` is in seconds (template expiry,
  /// slot activity). Records past a ceiling are left out of `out` and
  /// counted under their reason; an override's rate is set in those kept.
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
  /// Sets who hears of rate changes (a log line in the daemon).
  void on_rate_change(RateChange f) { rate_change_ = std::move(f); }
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
    std::int64_t last_seen = 0;  // seconds
  };
  struct AddressHash {
    std::size_t operator()(const Address& a) const noexcept;
  };

  FlowPort port_;
  Limits limits_;
  TemplateCache cache_;
  std::unordered_map<Address, Exporter, AddressHash> exporters_;
  Exporter other_;
  std::int64_t no_idle_before_ = 0;  // no slot can be idle before then (saves rescans)
  RateChange rate_change_;

  Exporter& exporter(const Address& a, std::int64_t now);
  void bound_records(const Address& a, ExporterStats& s, std::vector<FlowRecord>& out, std::size_t from,
                     DecodeResult& r) const;
  void track_sequence(Exporter& e, std::uint32_t version, const DecodeResult& r);
};

}  // namespace asncounter::flow
