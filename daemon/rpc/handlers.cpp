#include "daemon/rpc/handlers.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <span>

#include "common/ip.hpp"
#include "common/json_text.hpp"
#include "common/lookup_answer.hpp"
#include "common/report.hpp"
#include "common/table/carve.hpp"
#include "common/version.hpp"
#include "daemon/mitigate/mitigation.hpp"
#include "daemon/rpc/rank_by_bytes.hpp"
#include "daemon/rpc/series.hpp"
#include "daemon/rpc/store_of.hpp"
#include "daemon/rpc/table_pieces.hpp"
#include "daemon/store/counter_store.hpp"

namespace asncounter::rpc {
namespace {

using nlohmann::json;

json name_of(const AsNames* names, std::optional<std::uint32_t> asn) {
  if (!names || !asn) return nullptr;
  auto n = names->name(*asn);
  return n ? json(std::string(*n)) : json(nullptr);
}

std::size_t limit_of(const Params& p) {
  return p.number<std::size_t>(ParamId::limit).value_or(kDefaultLimit);
}

// The rows asked of the store: the client's limit (0: all) within the cap,
// plus one beyond the cap to tell whether it cut the table.
std::size_t rows_to_ask(const Params& p, const AnswerCaps& caps) {
  std::size_t limit = limit_of(p);
  return limit != 0 && limit <= caps.max_rows ? limit : caps.max_rows + 1;
}

// Cuts `t` to the cap; the JSON of a cut table says "truncated": true.
template <class Table>
bool cut(Table& t, const AnswerCaps& caps) {
  if (t.rows.size() <= caps.max_rows) return false;
  t.rows.resize(caps.max_rows);
  return true;
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
                {"name", c.name.empty() ? spec : c.name},
                {"hits", c.counted.hits},
                {"bytes", c.counted.bytes},
                {"events", c.events},
                {"rejected", c.rejected},
                {"oversized", c.oversized},
                {"capture_drops", c.capture_drops},
                {"reopens", c.reopens},
                {"state", c.state.text()}};
    const InputTraits traits = input_traits(spec);
    if (traits.frames) row["non_ip"] = c.non_ip;
    if (traits.flows) {
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

// The window asked for, ending now (length 0: since start).
Window window_of(const Params& p) {
  return Window{std::chrono::seconds(p.number<std::uint32_t>(ParamId::window).value_or(0)),
                std::chrono::steady_clock::now()};
}

// Steady times become wall times by their distance from now, read once per
// answer: steps follow the monotonic clock (a wall clock jump never moves a
// hit between steps), and only the labels follow the wall clock.
double wall_of(MonoTime t, MonoTime mono_now, std::chrono::system_clock::time_point wall_now) {
  auto wall = wall_now - std::chrono::duration_cast<std::chrono::system_clock::duration>(mono_now - t);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(wall.time_since_epoch()).count();
  return static_cast<double>(ms) / 1000.0;
}

// `"window": {"seconds", "from", "to", "clipped", "resolution"}` of
// DESIGN.md, with "prefix_error" when a coarse tier folded prefixes, or
// nothing since start.
json window_json(const std::optional<WindowSpan>& w) {
  if (!w) return nullptr;
  auto mono_now = std::chrono::steady_clock::now();
  auto wall_now = std::chrono::system_clock::now();
  json out = {{"seconds", w->requested.count()},
              {"from", wall_of(w->from, mono_now, wall_now)},
              {"to", wall_of(w->to, mono_now, wall_now)},
              {"clipped", w->clipped},
              {"resolution", w->resolution.count()}};
  if (w->prefix_error.hits || w->prefix_error.bytes)
    out["prefix_error"] = {{"hits", w->prefix_error.hits}, {"bytes", w->prefix_error.bytes}};
  return out;
}

// What a table says beyond its rows: whether the cap cut it, the interval it covers.
std::string table_members(bool truncated, const std::optional<WindowSpan>& w) {
  std::string out = truncated ? R"(,"truncated":true)" : "";
  if (w) out += R"(,"window":)" + compact_json(window_json(w));
  return out;
}

// `,"mixed_units":[{"input":NAME,"unit":UNIT}...]` when the whole store sums
// inputs that count different things (lines, packets, flow packets).
std::string units_member(DaemonControl& d, const Params& p) {
  if (p.text(ParamId::input)) return "";
  auto units = d.mixed_units();
  if (units.empty()) return "";
  json out = json::array();
  for (const auto& [name, unit] : units) out.push_back({{"input", name}, {"unit", unit}});
  return R"(,"mixed_units":)" + compact_json(out);
}

Reply top(DaemonControl& d, const Params& p, const AnswerCaps& caps) {
  if (sorts_by_prefix(p))
    return Reply::failure(ErrorCode::invalid_params, "top has ASNs: sort hits or bytes");
  Reply error;
  CounterStore* store = store_of(d, p, error);
  if (!store) return error;
  const bool bytes = sorts_rows(p);
  auto t = store->top_asns(bytes ? 0 : rows_to_ask(p, caps), window_of(p));
  if (bytes) rank_by_bytes(t.table.rows, rows_to_ask(p, caps));
  bool truncated = cut(t.table, caps);
  auto answer = std::make_shared<PiecedAnswer>();
  add_table(*answer, std::move(t.table), d.names(), table_members(truncated, t.window) + units_member(d, p));
  return Reply::streamed(std::move(answer));
}

Reply prefixes(DaemonControl& d, const Params& p, const AnswerCaps& caps) {
  Reply error;
  CounterStore* store = store_of(d, p, error);
  if (!store) return error;
  auto asn = p.number<std::uint32_t>(ParamId::asn);
  const bool sorted = sorts_rows(p);
  auto t = store->top_prefixes(sorted ? 0 : rows_to_ask(p, caps), asn, window_of(p));
  if (sorted) rank_prefixes(t.table.rows, p, rows_to_ask(p, caps));
  bool truncated = cut(t.table, caps);
  auto answer = std::make_shared<PiecedAnswer>();
  add_table(*answer, std::move(t.table), d.names(), table_members(truncated, t.window));
  return Reply::streamed(std::move(answer));
}

Reply report(DaemonControl& d, const Params& p, const AnswerCaps& caps) {
  auto names = d.names();
  Window w = window_of(p);
  // The prefixes first: their read needs the most scratch memory, and the
  // ASN read after it fits in what it freed (the other way round, the kept
  // ASN rows sat above the freed scratch and the heap grew by 5 MiB).
  auto prefixes = d.store().top_prefixes(rows_to_ask(p, caps), std::nullopt, w);
  bool prefixes_cut = cut(prefixes.table, caps);
  auto asns = d.store().top_asns(rows_to_ask(p, caps), w);
  bool asns_cut = cut(asns.table, caps);
  auto answer = std::make_shared<PiecedAnswer>();
  answer->text(R"({"asns":)");
  add_table(*answer, std::move(asns.table), names, table_members(asns_cut, std::nullopt));
  answer->text(R"(,"prefixes":)");
  add_table(*answer, std::move(prefixes.table), names, table_members(prefixes_cut, std::nullopt));
  answer->text(table_members(false, asns.window) + "}");
  return Reply::streamed(std::move(answer));
}

// One ASN: what the old tool's REPL gave with asn_counter.get(N) and asn_prefixes(N).
Reply asn(DaemonControl& d, const Params& p, const AnswerCaps& caps) {
  Reply error;
  CounterStore* store = store_of(d, p, error);
  if (!store) return error;
  auto asn = *p.number<std::uint32_t>(ParamId::asn);
  auto names = d.names();
  AsnSummary s = store->asn_summary(asn, window_of(p));
  if (sorts_rows(p)) rank_prefixes(s.prefixes.rows, p, 0);
  bool truncated = cut(s.prefixes, caps);
  json out = {{"asn", asn},
              {"name", name_of(names.get(), asn)},
              {"count", s.counts.hits},
              {"bytes", s.counts.bytes},
              {"total", s.total.hits},
              {"total_bytes", s.total.bytes},
              {"percent", format_percent(s.counts.hits, s.total.hits)},
              {"rank", s.rank == 0 ? json(nullptr) : json(s.rank)}};
  if (truncated) out["truncated"] = true;
  if (s.window) out["window"] = window_json(s.window);
  // The rows shown are routed ones: an unrouted row has no prefix to show.
  auto rows = std::make_shared<std::vector<PrefixRow>>(std::move(s.prefixes.rows));
  std::erase_if(*rows, [](const PrefixRow& r) { return !r.prefix || !r.asn; });
  auto answer = std::make_shared<PiecedAnswer>();
  add_object_with_array(*answer, out, "prefixes", rows->size(), [rows](std::string& text, std::size_t i) {
    const PrefixRow& row = (*rows)[i];
    text += compact_json(
        {{"prefix", to_string(*row.prefix)}, {"count", row.counts.hits}, {"bytes", row.counts.bytes}});
  });
  return Reply::streamed(std::move(answer));
}

Reply as_prefixes(DaemonControl& d, const Params& p, const AnswerCaps&) {
  // parse_request() checked that the required ASN is there and fits.
  auto asn = *p.number<std::uint32_t>(ParamId::asn);
  // carved: the space a block by ASN may cover (block-list --asn).
  auto table = d.store().table();
  auto list = std::make_shared<std::vector<Prefix>>(
      p.number(ParamId::carved).value_or(0) != 0 ? carved_asn_space(*table, asn) : table->as_prefixes(asn));
  auto answer = std::make_shared<PiecedAnswer>();
  add_object_with_array(*answer, {{"asn", asn}, {"name", name_of(d.names().get(), asn)}}, "prefixes",
                        list->size(), [list](std::string& text, std::size_t i) {
                          text += '"';
                          text += to_string((*list)[i]);  // a prefix needs no escaping
                          text += '"';
                        });
  return Reply::streamed(std::move(answer));
}

// A text that is no address gets its own error row; the others are answered.
Reply lookup(DaemonControl& d, const Params& p, const AnswerCaps&) {
  return Reply::success(lookup_answer_json(*d.store().table(), d.names().get(), p.list(ParamId::ips)));
}

// Each tier: its resolution, what it holds, what it dropped and folded.
json tiers_json(const HistoryStats& h, std::chrono::steady_clock::time_point mono_now,
                std::chrono::system_clock::time_point wall_now) {
  json tiers = json::array();
  for (const TierStats& t : h.tiers)
    tiers.push_back({{"resolution", t.resolution.count()},
                     {"from", wall_of(t.from, mono_now, wall_now)},
                     {"span_seconds", std::chrono::duration<double>(h.to - t.from).count()},
                     {"steps", t.steps},
                     {"entries", t.entries},
                     {"bytes", t.bytes},
                     {"dropped_steps", t.dropped_steps},
                     {"folded_prefixes", t.folded}});
  return tiers;
}

// What the history really holds (DESIGN.md: span and bytes shown in stats).
json history_json(const HistoryStats& h) {
  if (!h.enabled) return {{"enabled", false}};
  auto mono_now = std::chrono::steady_clock::now();
  auto wall_now = std::chrono::system_clock::now();
  return {{"enabled", true},
          {"from", wall_of(h.from, mono_now, wall_now)},
          {"to", wall_of(h.to, mono_now, wall_now)},
          {"span_seconds", std::chrono::duration<double>(h.to - h.from).count()},
          {"steps", h.steps},
          {"entries", h.entries},
          {"bytes", h.bytes},
          {"snapshot_bytes", h.snapshot_bytes},
          {"dropped_steps", h.dropped_steps},
          {"tiers", tiers_json(h, mono_now, wall_now)}};
}

Reply stats(DaemonControl& d, const Params&, const AnswerCaps&) {
  json out = stats_json(d, d.store());
  out["history"] = history_json(d.store().stats().history);
  return Reply::success(compact_json(out));
}

Reply version(DaemonControl&, const Params&, const AnswerCaps&) {
  return Reply::success(
      compact_json({{"version", std::string(asncounter::version())}, {"protocol", kProtocolVersion}}));
}

// The counts go; the inputs' own counters (events, rejected, drops, ...)
// stay: they are the daemon's health since start, monotonic as Prometheus
// counters must be, and the answer says so.
// keep=history: an incident's evidence (the windows) outlives a reset of the
// since-start counts.
Reply reset(DaemonControl& d, const Params& params, const AnswerCaps&) {
  const bool keep_history = params.word(ParamId::keep) == "history";
  if (keep_history)
    d.store().reset_keeping_history(std::chrono::steady_clock::now());
  else
    d.store().reset();
  d.reset_inputs(keep_history);
  return Reply::success(
      std::string(R"({"reset":true,"history_kept":)") + (keep_history ? "true" : "false") +
      R"(,"kept":"per-input counters (events, rejected, capture drops, reopens) count since the )"
      R"(daemon started; a reset zeroes the hit and byte counts only"})");
}

Reply refresh(DaemonControl& d, const Params&, const AnswerCaps&) {
  auto queued = d.refresh();
  return queued ? Reply::success(R"({"queued":true})")
                : Reply::failure(ErrorCode::unavailable, queued.error());
}

// Begun on the loop, read off it, swapped in on it again.
Reply reload(DaemonControl& d, const Params&, const AnswerCaps&) {
  auto job = d.begin_reload();
  if (!job) return Reply::failure(ErrorCode::unavailable, job.error());
  return Reply::off_loop([job = *job] {
    job->stage();
    return Reply::on_loop([job] {
      auto reloaded = job->commit();
      if (!reloaded) return Reply::failure(ErrorCode::reload_failed, reloaded.error());
      return Reply::success(compact_json(json{{"reloaded", true}, {"needs_restart", *reloaded}}));
    });
  });
}

// Mitigation (docs/mitigation.md): answered off the loop, they may touch nftables.
std::int64_t wall_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

Reply decisions(DaemonControl& d, const Params&, const AnswerCaps&) {
  auto* m = d.mitigation();
  if (!m) return Reply::success(R"({"mode":"off","active":[],"recent":[]})");
  return Reply::success(m->decisions_json(wall_now()));
}

Reply ban(DaemonControl& d, const Params& p, const AnswerCaps&) {
  auto* m = d.mitigation();
  if (!m) return Reply::failure(ErrorCode::unavailable, "no mitigation runs");
  auto done = m->ban(p.text(ParamId::target).value_or(""),
                     std::chrono::seconds(p.number(ParamId::for_).value_or(3600)),
                     p.text(ParamId::reason).value_or(""), wall_now());
  return done ? Reply::success(*done) : Reply::failure(ErrorCode::invalid_params, done.error());
}

Reply unban(DaemonControl& d, const Params& p, const AnswerCaps&) {
  auto* m = d.mitigation();
  if (!m) return Reply::failure(ErrorCode::unavailable, "no mitigation runs");
  auto done = m->unban(p.text(ParamId::target).value_or(""), wall_now());
  return done ? Reply::success(*done) : Reply::failure(ErrorCode::invalid_params, done.error());
}

// "Which ASN is OVH?": the loaded names searched, at most rpc-max-rows of them.
Reply whois(DaemonControl& d, const Params& p, const AnswerCaps& caps) {
  auto names = d.names();
  std::string text(p.word(ParamId::text).value_or(""));
  json rows = json::array();
  if (names)
    for (const auto& [asn, name] : names->find(text, caps.max_rows))
      rows.push_back({{"asn", asn}, {"name", name}});
  return Reply::success(compact_json({{"text", text}, {"names", names ? names->size() : 0}, {"asns", rows}}));
}

// series() lives in series.cpp. A forwarder defined here keeps every row's
// address a constant expression: sanitizer builds refuse to compare another
// file's function address with nullptr in the static_assert below.
Reply series_handler(DaemonControl& d, const Params& p, const AnswerCaps& caps) { return series(d, p, caps); }

constexpr std::size_t at(MethodId id) { return static_cast<std::size_t>(id); }

// Where a method runs is part of its row, with no default: a new method
// that reads the whole store cannot end up on the event loop by omission.
// On a worker a handler uses only the thread-safe members of DaemonControl
// (store() and names()); stats stays on the loop, as status() reads the
// loop's own counters.
struct HandlerRow {
  Handler handler = nullptr;
  RunsOn runs_on = RunsOn::unset;
};

// Indexed by MethodId; the static_asserts below fail the build when a
// method of common/rpc.hpp has no handler or no place to run here.
constexpr std::array<HandlerRow, kMethodCount> kHandlers = [] {
  std::array<HandlerRow, kMethodCount> h{};
  h[at(MethodId::top)] = {top, RunsOn::worker};
  h[at(MethodId::prefixes)] = {prefixes, RunsOn::worker};
  h[at(MethodId::report)] = {report, RunsOn::worker};
  h[at(MethodId::as_prefixes)] = {as_prefixes, RunsOn::worker};
  h[at(MethodId::lookup)] = {lookup, RunsOn::worker};  // up to 64 KiB of addresses, each named
  h[at(MethodId::stats)] = {stats, RunsOn::loop};
  h[at(MethodId::version)] = {version, RunsOn::loop};
  h[at(MethodId::reset)] = {reset, RunsOn::loop};
  h[at(MethodId::refresh)] = {refresh, RunsOn::loop};
  h[at(MethodId::reload)] = {reload, RunsOn::loop};
  h[at(MethodId::asn)] = {asn, RunsOn::worker};
  h[at(MethodId::decisions)] = {decisions, RunsOn::worker};
  h[at(MethodId::ban)] = {ban, RunsOn::worker};
  h[at(MethodId::unban)] = {unban, RunsOn::worker};
  h[at(MethodId::series)] = {series_handler, RunsOn::worker};  // reads the history's steps
  h[at(MethodId::whois)] = {whois, RunsOn::loop};
  return h;
}();
static_assert(std::none_of(kHandlers.begin(), kHandlers.end(),
                           [](const HandlerRow& r) { return r.handler == nullptr; }),
              "every rpc::MethodId needs a handler in kHandlers");
static_assert(std::none_of(kHandlers.begin(), kHandlers.end(),
                           [](const HandlerRow& r) { return r.runs_on == RunsOn::unset; }),
              "every rpc::MethodId says where it runs in kHandlers");

}  // namespace

Reply handle(MethodId id, DaemonControl& daemon, const Params& params, const AnswerCaps& caps) {
  return kHandlers.at(static_cast<std::size_t>(id)).handler(daemon, params, caps);
}

RunsOn runs_on(MethodId id) { return kHandlers.at(static_cast<std::size_t>(id)).runs_on; }

}  // namespace asncounter::rpc
