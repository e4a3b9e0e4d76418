#include "daemon/rpc/handlers.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <nlohmann/json.hpp>
#include <span>

#include "common/ip.hpp"
#include "common/report.hpp"
#include "common/version.hpp"
#include "daemon/store/counter_store.hpp"

namespace asncounter::rpc {
namespace {

using nlohmann::json;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json name_of(const AsNames* names, std::optional<std::uint32_t> asn) {
  if (!names || !asn) return nullptr;
  auto n = names->name(*asn);
  return n ? json(std::string(*n)) : json(nullptr);
}

std::size_t limit_of(const Params& p) {
  return p.number<std::size_t>(ParamId::limit).value_or(kDefaultLimit);
}

json table_json(const LpmTable& t) {
  const auto& info = t.info();
  return {{"source", info.source},
          {"format", std::string(table_format_name(info.format))},
          {"dump_time", info.dump_time},
          {"loaded_at", info.loaded_at},
          {"prefixes", t.prefix_count()},
          {"v4_prefixes", t.v4_prefix_count()},
          {"v6_prefixes", t.v6_prefix_count()},
          {"memory_bytes", t.memory_bytes()}};
}

// A flow input's exporters, each with its rejected datagrams by reason.
json exporters_json(const std::vector<FlowExporterCounters>& exporters) {
  json out = json::array();
  for (const auto& e : exporters) {
    json rejected = json::object();
    for (const auto& [reason, n] : e.rejected) rejected[reason] = n;
    out.push_back({{"exporter", e.exporter},
                   {"datagrams", e.datagrams},
                   {"records", e.records},
                   {"sequence_gaps", e.sequence_gaps},
                   {"restarts", e.restarts},
                   {"no_template", e.no_template},
                   {"counter_samples", e.counter_samples},
                   {"sampling_rate", e.sampling_rate},
                   {"rejected", std::move(rejected)}});
  }
  return out;
}

json inputs_json(const std::vector<std::pair<std::string, InputCounters>>& inputs) {
  json out = json::array();
  for (const auto& [spec, c] : inputs) {
    json row = {{"spec", spec},
                {"events", c.events},
                {"rejected", c.rejected},
                {"oversized", c.oversized},
                {"capture_drops", c.capture_drops},
                {"reopens", c.reopens},
                {"state", c.state}};
    if (spec.starts_with("sflow:") || spec.starts_with("netflow:")) {
      row["refused"] = c.refused;
      row["exporters"] = exporters_json(c.exporters);
    }
    out.push_back(std::move(row));
  }
  return out;
}

json stats_json(const DaemonControl& daemon, const CounterStore& store) {
  DaemonStatus d = daemon.status();
  StoreStats s = store.stats();
  auto names = daemon.names();
  json out = {
      {"version", std::string(version())},
      {"protocol", kProtocolVersion},
      {"started_at", d.started_at},
      {"uptime_seconds", d.uptime_seconds},
      {"table", table_json(*store.table())},
      {"as_names", names ? names->size() : 0},
      {"inputs", inputs_json(daemon.input_counters())},
      {"totals",
       {{"hits", s.total.hits},
        {"bytes", s.total.bytes},
        {"has_bytes", s.has_bytes},
        {"has_latency", s.has_latency},
        {"generations", s.generations},
        {"shards", s.shards},
        {"contended_locks", s.contended_locks}}},
      {"rpc",
       {{"clients", d.clients},
        {"refused_clients", d.refused_clients},
        {"requests", d.requests.requests},
        {"errors", d.requests.errors},
        {"denied", d.requests.denied}}},
      {"reloads", {{"ok", d.reloads_ok}, {"failed", d.reloads_failed}, {"last_error", d.last_reload_error}}},
      {"refresh",
       {{"ok", d.refreshes_ok}, {"failed", d.refreshes_failed}, {"last_outcome", d.last_refresh}}}};
  return out;
}

json lookup_json(const LpmTable& table, const AsNames* names, std::span<const std::string> ips) {
  json rows = json::array();
  for (const auto& ip : ips) {
    // parse_request() validated every address.
    auto match = table.lookup(*parse_address(ip));
    json row = {{"ip", ip}};
    row["asn"] = match ? json(match->asn) : json(nullptr);
    row["prefix"] = match ? json(to_string(match->prefix)) : json(nullptr);
    row["name"] = match ? name_of(names, match->asn) : json(nullptr);
    rows.push_back(std::move(row));
  }
  return {{"results", std::move(rows)}};
}

json as_prefixes_json(const LpmTable& table, const AsNames* names, std::uint32_t asn) {
  json list = json::array();
  for (const auto& p : table.as_prefixes(asn)) list.push_back(to_string(p));
  return {{"asn", asn}, {"name", name_of(names, asn)}, {"prefixes", std::move(list)}};
}

Reply top(DaemonControl& d, const Params& p) {
  return Reply::success(to_json(make_asn_report(d.store().top_asns(limit_of(p)), d.names().get())));
}

Reply prefixes(DaemonControl& d, const Params& p) {
  auto asn = p.number<std::uint32_t>(ParamId::asn);
  return Reply::success(
      to_json(make_prefix_report(d.store().top_prefixes(limit_of(p), asn), d.names().get())));
}

Reply report(DaemonControl& d, const Params& p) {
  auto n = d.names();
  std::string out = R"({"asns":)" + to_json(make_asn_report(d.store().top_asns(limit_of(p)), n.get()));
  out += R"(,"prefixes":)" + to_json(make_prefix_report(d.store().top_prefixes(limit_of(p)), n.get())) + "}";
  return Reply::success(std::move(out));
}

Reply as_prefixes(DaemonControl& d, const Params& p) {
  // parse_request() checked that the required ASN is there and fits.
  auto asn = *p.number<std::uint32_t>(ParamId::asn);
  return Reply::success(dump(as_prefixes_json(*d.store().table(), d.names().get(), asn)));
}

Reply lookup(DaemonControl& d, const Params& p) {
  return Reply::success(dump(lookup_json(*d.store().table(), d.names().get(), p.list(ParamId::ips))));
}

Reply stats(DaemonControl& d, const Params&) { return Reply::success(dump(stats_json(d, d.store()))); }

Reply version(DaemonControl&, const Params&) {
  return Reply::success(
      dump({{"version", std::string(asncounter::version())}, {"protocol", kProtocolVersion}}));
}

Reply reset(DaemonControl& d, const Params&) {
  d.store().reset();
  return Reply::success(R"({"reset":true})");
}

Reply refresh(DaemonControl& d, const Params&) {
  auto queued = d.refresh();
  return queued ? Reply::success(R"({"queued":true})")
                : Reply::failure(ErrorCode::unavailable, queued.error());
}

Reply reload(DaemonControl& d, const Params&) {
  auto reloaded = d.reload();
  return reloaded ? Reply::success(R"({"reloaded":true})")
                  : Reply::failure(ErrorCode::reload_failed, reloaded.error());
}

constexpr std::size_t at(MethodId id) { return static_cast<std::size_t>(id); }

// Indexed by MethodId; the static_assert below fails the build when a method
// of common/rpc.hpp has no handler here.
constexpr std::array<Handler, kMethodCount> kHandlers = [] {
  std::array<Handler, kMethodCount> h{};
  h[at(MethodId::top)] = top;
  h[at(MethodId::prefixes)] = prefixes;
  h[at(MethodId::report)] = report;
  h[at(MethodId::as_prefixes)] = as_prefixes;
  h[at(MethodId::lookup)] = lookup;
  h[at(MethodId::stats)] = stats;
  h[at(MethodId::version)] = version;
  h[at(MethodId::reset)] = reset;
  h[at(MethodId::refresh)] = refresh;
  h[at(MethodId::reload)] = reload;
  return h;
}();
static_assert(std::find(kHandlers.begin(), kHandlers.end(), nullptr) == kHandlers.end(),
              "every rpc::MethodId needs a handler in kHandlers");

}  // namespace

Reply handle(MethodId id, DaemonControl& daemon, const Params& params) {
  return kHandlers.at(static_cast<std::size_t>(id))(daemon, params);
}

}  // namespace asncounter::rpc
