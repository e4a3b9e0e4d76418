#include "daemon/metrics/metrics_collector.hpp"

#include <prometheus/metric_family.h>

#include "daemon/input/input.hpp"

namespace asncounter {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

ClientMetric sample(double value, MetricType type, std::vector<ClientMetric::Label> labels = {}) {
  ClientMetric m;
  m.label = std::move(labels);
  if (type == MetricType::Counter)
    m.counter.value = value;
  else
    m.gauge.value = value;
  return m;
}

MetricFamily family(std::string name, std::string help, MetricType type, std::vector<ClientMetric> metrics) {
  return MetricFamily{std::move(name), std::move(help), type, std::move(metrics)};
}

double d(std::uint64_t v) { return static_cast<double>(v); }

std::string asn_label(const AsnRow& row) { return row.asn ? std::to_string(*row.asn) : "None"; }

void add_asn_families(const MetricsSnapshot& s, std::vector<MetricFamily>& out) {
  std::vector<ClientMetric> hits, bytes;
  for (std::size_t i = 0; i < s.top_asns.rows.size(); ++i) {
    const auto& row = s.top_asns.rows[i];
    std::string name = i < s.top_asn_names.size() ? s.top_asn_names[i] : "";
    std::vector<ClientMetric::Label> labels{{"asn", asn_label(row)}, {"as_name", name}};
    hits.push_back(sample(d(row.counts.hits), MetricType::Counter, labels));
    bytes.push_back(sample(d(row.counts.bytes), MetricType::Counter, labels));
  }
  // Always present, so that the series sum to the totals at every scrape.
  // Not monotonic: it shrinks when an ASN gets its own series (docs/metrics.md).
  std::vector<ClientMetric::Label> other{{"asn", "other"}, {"as_name", ""}};
  hits.push_back(sample(d(s.other_asns.hits), MetricType::Counter, other));
  bytes.push_back(sample(d(s.other_asns.bytes), MetricType::Counter, other));
  out.push_back(
      family("asncounter_asn_hits_total",
             "Hits per origin ASN since start, for the ASNs most active lately; asn=\"other\": the rest",
             MetricType::Counter, std::move(hits)));
  out.push_back(
      family("asncounter_asn_bytes_total",
             "Bytes per origin ASN since start, for the ASNs most active lately; asn=\"other\": the rest",
             MetricType::Counter, std::move(bytes)));
  out.push_back(family("asncounter_hits_total", "Hits counted, all ASNs and unrouted", MetricType::Counter,
                       {sample(d(s.top_asns.total.hits), MetricType::Counter)}));
  out.push_back(family("asncounter_bytes_total", "Bytes counted, all ASNs and unrouted", MetricType::Counter,
                       {sample(d(s.top_asns.total.bytes), MetricType::Counter)}));
}

// Inputs that can lose packets before reading them (the kernel's or
// libpcap's buffer, a UDP socket's): a file or a FIFO loses nothing.
bool drops_packets(const std::string& spec) { return input_traits(spec).lossy; }

// Inputs that read frames, some of which carry no IP address (ARP, ...).
bool reads_frames(const std::string& spec) { return input_traits(spec).frames; }

// An input's label: its name (--input NAME=SPEC), which is its spec unless named.
const std::string& label_of(const std::string& spec, const InputCounters& c) {
  return c.name.empty() ? spec : c.name;
}

// What each input counted: they sum to asncounter_hits_total and
// asncounter_bytes_total since the start (restored counts belong to no input).
void add_input_totals(const MetricsSnapshot& s, std::vector<MetricFamily>& out) {
  std::vector<ClientMetric> hits, bytes;
  for (const auto& [spec, c] : s.inputs) {
    hits.push_back(sample(d(c.counted.hits), MetricType::Counter, {{"input", label_of(spec, c)}}));
    bytes.push_back(sample(d(c.counted.bytes), MetricType::Counter, {{"input", label_of(spec, c)}}));
  }
  out.push_back(family("asncounter_input_hits_total",
                       "Hits counted per input (lines, packets or flow packets)", MetricType::Counter,
                       std::move(hits)));
  out.push_back(family("asncounter_input_bytes_total", "Bytes counted per input", MetricType::Counter,
                       std::move(bytes)));
}

void add_input_families(const MetricsSnapshot& s, std::vector<MetricFamily>& out) {
  add_input_totals(s, out);
  struct Field {
    const char* name;
    const char* help;
    std::uint64_t InputCounters::*member;
    bool (*applies)(const std::string& spec);  // null: every input
  };
  static constexpr Field fields[] = {
      {"asncounter_input_events_total", "Events accepted per input", &InputCounters::events, nullptr},
      {"asncounter_input_rejected_total", "Lines or packets rejected per input (no address, broken)",
       &InputCounters::rejected, nullptr},
      {"asncounter_input_oversized_total", "Lines over the 64 KiB limit per input", &InputCounters::oversized,
       nullptr},
      {"asncounter_input_non_ip_total", "Captured frames without an IP address (ARP, LLDP, ...) per capture",
       &InputCounters::non_ip, reads_frames},
      {"asncounter_capture_drops_total", "Packets dropped by the kernel or libpcap per capture",
       &InputCounters::capture_drops, drops_packets},
      {"asncounter_input_reopens_total", "Rotations, FIFO writer changes and interface reopens per input",
       &InputCounters::reopens, nullptr},
  };
  for (const auto& f : fields) {
    std::vector<ClientMetric> metrics;
    for (const auto& [spec, counters] : s.inputs)
      if (!f.applies || f.applies(spec))
        metrics.push_back(
            sample(d(counters.*f.member), MetricType::Counter, {{"input", label_of(spec, counters)}}));
    // A family no input has is left out, not shown empty.
    if (f.applies && metrics.empty()) continue;
    out.push_back(family(f.name, f.help, MetricType::Counter, std::move(metrics)));
  }
}

// One series per flow exporter and input; the flow input caps its exporters
// (the rest share exporter="other"), so the series stay bounded.
void add_flow_families(const MetricsSnapshot& s, std::vector<MetricFamily>& out) {
  struct Field {
    const char* name;
    const char* help;
    std::uint64_t FlowExporterCounters::*member;
  };
  static constexpr Field fields[] = {
      {"asncounter_flow_datagrams_total", "Flow datagrams per exporter", &FlowExporterCounters::datagrams},
      {"asncounter_flow_records_total", "Flow records (flows, sampled packets) per exporter",
       &FlowExporterCounters::records},
      {"asncounter_flow_sequence_gaps_total", "Datagrams or flows lost on the way, by sequence numbers",
       &FlowExporterCounters::sequence_gaps},
      {"asncounter_flow_no_template_total", "Data sets that came before their template",
       &FlowExporterCounters::no_template},
  };
  bool any = false;
  for (const auto& [spec, c] : s.inputs) any = any || !c.exporters.empty();
  if (!any) return;
  for (const auto& f : fields) {
    std::vector<ClientMetric> metrics;
    for (const auto& [spec, c] : s.inputs)
      for (const auto& e : c.exporters)
        metrics.push_back(sample(d(e.*f.member), MetricType::Counter,
                                 {{"input", label_of(spec, c)}, {"exporter", e.exporter}}));
    out.push_back(family(f.name, f.help, MetricType::Counter, std::move(metrics)));
  }
  std::vector<ClientMetric> rates, rejected;
  for (const auto& [spec, c] : s.inputs)
    for (const auto& e : c.exporters) {
      rates.push_back(sample(static_cast<double>(e.sampling_rate), MetricType::Gauge,
                             {{"input", label_of(spec, c)}, {"exporter", e.exporter}}));
      for (const auto& [reason, n] : e.rejected)
        rejected.push_back(
            sample(d(n), MetricType::Counter,
                   {{"input", label_of(spec, c)}, {"exporter", e.exporter}, {"reason", reason}}));
    }
  out.push_back(family("asncounter_flow_sampling_rate", "The last sampling rate (1 in N) an exporter sent",
                       MetricType::Gauge, std::move(rates)));
  out.push_back(family("asncounter_flow_rejected_total", "Flow datagrams rejected per exporter and reason",
                       MetricType::Counter, std::move(rejected)));
}

void add_health_families(const MetricsSnapshot& s, std::vector<MetricFamily>& out) {
  out.push_back(family("asncounter_table_prefixes", "Prefixes in the table in force", MetricType::Gauge,
                       {sample(d(s.table_v4_prefixes), MetricType::Gauge, {{"family", "ipv4"}}),
                        sample(d(s.table_v6_prefixes), MetricType::Gauge, {{"family", "ipv6"}})}));
  if (s.table_dump_time > 0) {
    out.push_back(family("asncounter_table_dump_timestamp_seconds",
                         "Time of the BGP dump the table was built from", MetricType::Gauge,
                         {sample(static_cast<double>(s.table_dump_time), MetricType::Gauge)}));
    out.push_back(family("asncounter_table_age_seconds", "Age of the BGP dump the table was built from",
                         MetricType::Gauge,
                         {sample(static_cast<double>(s.now - s.table_dump_time), MetricType::Gauge)}));
  }
  out.push_back(family("asncounter_refresh_successes_total", "Table refreshes that loaded a new table",
                       MetricType::Counter, {sample(d(s.refresh_successes), MetricType::Counter)}));
  out.push_back(family("asncounter_refresh_failures_total", "Table refreshes that failed (table kept)",
                       MetricType::Counter, {sample(d(s.refresh_failures), MetricType::Counter)}));
  if (s.refresh_last_success > 0)
    out.push_back(family("asncounter_refresh_last_success_timestamp_seconds", "Time of the last good refresh",
                         MetricType::Gauge,
                         {sample(static_cast<double>(s.refresh_last_success), MetricType::Gauge)}));
  std::vector<ClientMetric> rpc;
  for (const auto& [method, n] : s.rpc_requests)
    rpc.push_back(sample(d(n), MetricType::Counter, {{"method", method}}));
  out.push_back(family("asncounter_rpc_requests_total", "Control socket requests per method",
                       MetricType::Counter, std::move(rpc)));
  out.push_back(family("asncounter_start_time_seconds", "Time the daemon started", MetricType::Gauge,
                       {sample(static_cast<double>(s.start_time), MetricType::Gauge)}));
}

void add_mitigation_families(const MetricsSnapshot& s, std::vector<MetricFamily>& out) {
  if (!s.mitigating) return;
  std::vector<ClientMetric> by_rule;
  for (const auto& [rule, n] : s.mitigation_decisions)
    by_rule.push_back(sample(d(n), MetricType::Counter, {{"rule", rule}}));
  out.push_back(family("asncounter_mitigation_decisions_total",
                       "Mitigation decisions per rule (bans and refusals; rule=\"manual\" for admins')",
                       MetricType::Counter, std::move(by_rule)));
  out.push_back(family("asncounter_mitigation_active_bans", "Bans in force (dry-run ones included)",
                       MetricType::Gauge, {sample(d(s.mitigation_active_bans), MetricType::Gauge)}));
  out.push_back(family("asncounter_mitigation_prefixes_blocked",
                       "Prefixes the bans in force block in the kernel", MetricType::Gauge,
                       {sample(d(s.mitigation_prefixes_blocked), MetricType::Gauge)}));
  out.push_back(family("asncounter_mitigation_dropped_packets", "Packets the nftables drop rules counted",
                       MetricType::Gauge, {sample(d(s.mitigation_packets_dropped), MetricType::Gauge)}));
  out.push_back(family("asncounter_mitigation_dropped_bytes", "Bytes the nftables drop rules counted",
                       MetricType::Gauge, {sample(d(s.mitigation_bytes_dropped), MetricType::Gauge)}));
}

}  // namespace

std::vector<MetricFamily> to_metric_families(const MetricsSnapshot& s) {
  std::vector<MetricFamily> out;
  add_asn_families(s, out);
  add_input_families(s, out);
  add_flow_families(s, out);
  add_health_families(s, out);
  add_mitigation_families(s, out);
  return out;
}

}  // namespace asncounter
