#include "daemon/rpc/handlers.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

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

std::size_t limit_of(const Params& p) { return static_cast<std::size_t>(p.limit.value_or(kDefaultLimit)); }

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

json inputs_json(const std::vector<std::pair<std::string, InputCounters>>& inputs) {
  json out = json::array();
  for (const auto& [spec, c] : inputs) {
    out.push_back({{"spec", spec},
                   {"events", c.events},
                   {"rejected", c.rejected},
                   {"oversized", c.oversized},
                   {"capture_drops", c.capture_drops},
                   {"reopens", c.reopens},
                   {"state", c.state}});
  }
  return out;
}

json stats_json(const HandlerContext& ctx) {
  DaemonStatus d = ctx.status ? ctx.status() : DaemonStatus{};
  StoreStats s = ctx.store->stats();
  auto names = ctx.names ? ctx.names() : nullptr;
  json out = {
      {"version", std::string(version())},
      {"protocol", kProtocolVersion},
      {"started_at", d.started_at},
      {"uptime_seconds", d.uptime_seconds},
      {"table", table_json(*ctx.store->table())},
      {"as_names", names ? names->size() : 0},
      {"inputs", inputs_json(ctx.inputs ? ctx.inputs() : decltype(ctx.inputs())())},
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

json lookup_json(const LpmTable& table, const AsNames* names, const std::vector<std::string>& ips) {
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

}  // namespace

HandlerMap make_handlers(const HandlerContext& ctx) {
  const HandlerContext* c = &ctx;
  auto names = [c] { return c->names ? c->names() : nullptr; };
  HandlerMap h;
  h["top"] = [c, names](const Params& p) {
    return Reply::success(to_json(make_asn_report(c->store->top_asns(limit_of(p)), names().get())));
  };
  h["prefixes"] = [c, names](const Params& p) {
    return Reply::success(
        to_json(make_prefix_report(c->store->top_prefixes(limit_of(p), p.asn), names().get())));
  };
  h["report"] = [c, names](const Params& p) {
    auto n = names();
    std::string out = R"({"asns":)" + to_json(make_asn_report(c->store->top_asns(limit_of(p)), n.get()));
    out +=
        R"(,"prefixes":)" + to_json(make_prefix_report(c->store->top_prefixes(limit_of(p)), n.get())) + "}";
    return Reply::success(std::move(out));
  };
  h["as_prefixes"] = [c, names](const Params& p) {
    return Reply::success(dump(as_prefixes_json(*c->store->table(), names().get(), *p.asn)));
  };
  h["lookup"] = [c, names](const Params& p) {
    return Reply::success(dump(lookup_json(*c->store->table(), names().get(), p.ips)));
  };
  h["stats"] = [c](const Params&) { return Reply::success(dump(stats_json(*c))); };
  h["version"] = [](const Params&) {
    return Reply::success(dump({{"version", std::string(version())}, {"protocol", kProtocolVersion}}));
  };
  h["reset"] = [c](const Params&) {
    c->store->reset();
    return Reply::success(R"({"reset":true})");
  };
  h["refresh"] = [c](const Params&) {
    return c->refresh ? c->refresh()
                      : Reply::failure(ErrorCode::unavailable, "no table source to refresh from");
  };
  h["reload"] = [c](const Params&) {
    return c->reload ? c->reload() : Reply::failure(ErrorCode::reload_failed, "reload is not available");
  };
  return h;
}

}  // namespace asncounter::rpc
