#include "daemon/config/options_table.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <sstream>
#include <string_view>

#include "common/parse_number.hpp"
#include "common/registry.hpp"
#include "daemon/config/history_tiers.hpp"
#include "daemon/config/mitigate_options.hpp"
#include "daemon/input/flow/flow_input.hpp"
#include "daemon/input/flow/record_bounds.hpp"
#include "daemon/input/input.hpp"
#include "daemon/input/input_name.hpp"
#include "daemon/input/lines/line_format.hpp"

namespace asncounter {

namespace {

std::string check_format(const Options& o) {
  auto f = LineFormat::parse(o.input_format);
  return f ? "" : f.error();
}

std::string check_inputs(const Options& o) {
  for (const std::string& s : o.inputs) {
    if (!is_input_spec(s)) return "'" + s + "' is not " + input_spec_names() + " (NAME=SPEC names it)";
  }
  return check_input_names(o.input_names);
}

std::string check_exporters(const Options& o) {
  auto list = parse_exporter_list(o.flow_exporters);
  return list ? "" : list.error();
}

std::string check_sampling_overrides(const Options& o) {
  auto list = flow::parse_sampling_overrides(o.flow_sampling_override);
  return list ? "" : list.error();
}

// Exactly one IPv4 address or bracketed IPv6 address and a port: civetweb
// would also take a comma list or a bare port and bind 0.0.0.0 silently.
std::string check_history_tiers(const Options& o) {
  auto tiers = parse_history_tiers(o.history_tiers);
  return tiers ? "" : tiers.error();
}

std::string check_listen(const Options& o) {
  if (o.metrics_listen.empty()) return "";
  const std::string_view bad = "must be one ADDR:PORT (an IPv4 address or [IPv6], a port 0-65535)";
  std::string_view v = o.metrics_listen;
  auto colon = v.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::string(bad);
  std::string_view port = v.substr(colon + 1);
  auto number = port.size() <= 5 ? parse_unsigned<unsigned>(port) : std::nullopt;
  if (!number || *number > 65535) return std::string(bad);
  std::string host(v.substr(0, colon));
  unsigned char buf[16];
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    return inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), buf) == 1 ? "" : std::string(bad);
  return inet_pton(AF_INET, host.c_str(), buf) == 1 ? "" : std::string(bad);
}

// --duration and --count end a one-shot run; the daemon has no end to give.
template <unsigned Options::*M>
std::string once_only(const Options& o) {
  return o.*M == 0 || o.once ? std::string() : std::string("only with --once");
}

// Generated from the input-kind registry (daemon/input/input_factory.cpp).
const std::string& input_help() {
  static const std::string help = "an input: " + input_spec_names() +
                                  " (repeatable; --once reads stdin when none); NAME=SPEC names it for "
                                  "--input NAME of top, prefixes, asn, "
                                  "series";
  return help;
}

// Generated from the line-format registry, so that a new format shows up in
// --help and the default config without an edit here.
const std::string& input_format_help() {
  static const std::string help =
      "line format: " + line_format_names() + ", optionally with ,bytes:F,latency:F";
  return help;
}

using R = Reload;

// Ranges: a positive count or interval, and the shard count.
constexpr Range kPositive{1, UINT_MAX};
constexpr Range kShards{1, 256};
// Per-ASN series: 0 would mean all ASNs, an unbounded cardinality.
constexpr Range kTopAsns{1, 100000};

// A function, not a namespace-scope array: the input-format help is built at
// run time, and no static initialisation order can catch it unbuilt.
std::vector<OptionDecl> make_decls() {
  return {
      {"config", &Options::config, "FILE",
       "read options from FILE (key = value, same names; the command line wins)", true, R::restart},
      {"db", &Options::db, "FILE",
       "table file (MRT dump or pyasn ipasn, plain, gzip or bzip2); with it and no rib-url, nothing is "
       "downloaded",
       false, R::applies},
      {"asnames", &Options::asnames, "FILE", "AS names (pyasn asnames.json or cidr-report autnums.html)",
       false, R::applies},
      {"input", &Options::inputs, "[NAME=]SPEC", input_help().c_str(), false, R::restart, {}, check_inputs},
      {"input-format",
       &Options::input_format,
       "FMT",
       input_format_help().c_str(),
       false,
       R::restart,
       {},
       check_format},
      {"filter", &Options::filter, "BPF", "BPF filter for pcap inputs", false, R::restart},
      {"direction", enum_option<&Options::direction>(kDirectionNames), "DIR",
       "packets counted by pcap inputs", false, R::restart},
      {"flow-address", enum_option<&Options::flow_address>(kFlowAddressNames), "src|dst",
       "which address of a flow (sflow:, netflow:) is counted", false, R::restart},
      {"flow-sampling", &Options::flow_sampling, "N",
       "sampling rate (1 in N) for flow exporters that send none; hits and bytes are multiplied by it", false,
       R::restart, kPositive},
      {"flow-exporters",
       &Options::flow_exporters,
       "CIDRS",
       "who may send flows (addresses or prefixes, comma separated; 0.0.0.0/0,::/0: anyone); empty: loopback "
       "only; others are dropped and counted",
       false,
       R::restart,
       {},
       check_exporters},
      {"flow-max-sampling", &Options::flow_max_sampling, "N",
       "flow records claiming a sampling rate above 1 in N are refused and counted (an override is trusted)",
       false, R::restart, kPositive},
      {"flow-sampling-override",
       &Options::flow_sampling_override,
       "LIST",
       "sampling rates that win over the exporters' own, as EXPORTER=RATE (192.0.2.0/24=1000, comma "
       "separated; the longest prefix wins)",
       false,
       R::restart,
       {},
       check_sampling_overrides},
      {"flow-rcvbuf", &Options::flow_rcvbuf, "BYTES",
       "receive buffer asked for each flow socket (a line is logged when the kernel grants less)", false,
       R::restart, kPositive},
      {"socket",
       &Options::socket,
       "PATH",
       "control socket",
       false,
       R::restart,
       {},
       [](const Options& o) { return o.socket.empty() ? std::string("must not be empty") : std::string(); }},
      {"socket-group", &Options::socket_group, "GROUP",
       "group owning the control socket (mode 0660); empty: the daemon's group", false, R::restart},
      {"admin-group", &Options::admin_group, "GROUP",
       "members may reset, refresh and reload besides root and the daemon's user", false, R::applies},
      {"metrics-listen",
       &Options::metrics_listen,
       "ADDR:PORT",
       "HTTP address of /metrics, the web page and /api/ (docs/web.md); empty: none",
       false,
       R::restart,
       {},
       check_listen},
      {"metrics-top-asns", &Options::metrics_top_asns, "K",
       "per-ASN metric series for the top K ASNs only (1-100000: a bounded cardinality)", false, R::applies,
       kTopAsns},
      {"metrics-window", DurationOption{&Options::metrics_window}, "DURATION",
       "the per-ASN series are those of the K ASNs most active over this window", false, R::restart,
       kPositive},
      {"state-dir", &Options::state_dir, "DIR", "where counts are saved across restarts", false, R::restart},
      {"cache-dir", &Options::cache_dir, "DIR", "where downloaded RIB dumps and AS names are kept", false,
       R::restart},
      {"save-interval", DurationOption{&Options::save_interval}, "DURATION", "seconds between state saves",
       false, R::applies, kPositive},
      {"history-step", DurationOption{&Options::history_step}, "DURATION",
       "seconds per history step: the resolution of windowed answers (top --window)", false, R::restart,
       kPositive},
      {"history-span", DurationOption{&Options::history_span}, "DURATION",
       "seconds of history kept for windowed answers", false, R::restart, kPositive},
      {"history-memory", &Options::history_memory, "BYTES",
       "most bytes the history's steps may take (64 MiB by default); the finer tiers' oldest steps go first",
       false, R::restart, Range{1U << 20, UINT_MAX}},
      {"history-recent", DurationOption{&Options::history_recent}, "DURATION",
       "how long the steps of history-step are kept; older windows read the coarse tiers", false, R::restart,
       kPositive},
      {"history-tiers",
       &Options::history_tiers,
       "RES:SPAN,...",
       "coarse tiers of the history, finest first: exact per ASN, the heaviest prefixes exact; empty: none",
       false,
       R::restart,
       {},
       check_history_tiers},
      {"history-top-prefixes", &Options::history_top_prefixes, "K",
       "prefixes kept exact in each coarse step, by hits and by bytes; the rest are summed per ASN", false,
       R::restart, Range{1, 1000000}},
      {"rib-url", &Options::rib_url, "BASE",
       "RouteViews archive base (BASE/YYYY.MM/RIBS/rib.YYYYMMDD.HHMM.bz2)", false, R::restart},
      {"refresh-interval", DurationOption{&Options::refresh_interval}, "DURATION",
       "seconds between table refreshes", false, R::restart, kPositive},
      {"table-max-mib", &Options::table_max_mib, "MIB",
       "decompressed MiB a table file or dump may hold (a full RouteViews RIB is ~2.2 GiB)", false,
       R::restart, kPositive},
      {"table-max-prefixes", &Options::table_max_prefixes, "N",
       "distinct prefixes a table may hold (the Internet has ~1.3M)", false, R::restart, kPositive},
      {"rib-min-prefixes", &Options::rib_min_prefixes, "N",
       "prefixes a first downloaded dump must hold (a RouteViews RIB has 230k to 1M); 0: no minimum", false,
       R::restart},
      {"asnames-url", &Options::asnames_url, "URL",
       "where to fetch AS names (asnames.json or autnums.html), refreshed with the RIB; empty: none", false,
       R::restart},
      {"log-level", enum_option<&Options::log_level>(kLogLevelNames), "LEVEL", "how much to log", false,
       R::applies},
      {"shards", &Options::shards, "N", "counter store shards (rounded up to a power of two)", false,
       R::restart, kShards},
      {"max-clients", &Options::max_clients, "N", "control socket clients at once", false, R::applies,
       kPositive},
      {"client-timeout", DurationOption{&Options::client_timeout}, "DURATION",
       "seconds a control client may take per request", false, R::applies, kPositive},
      {"admin-slots", &Options::admin_slots, "N", "of max-clients, connections kept for admin peers", false,
       R::applies},
      {"max-clients-per-uid", &Options::max_clients_per_uid, "N",
       "control connections of one user at once (admins excepted)", false, R::applies, kPositive},
      {"rpc-max-rows", &Options::rpc_max_rows, "N",
       "rows per table in one control answer; more are cut, marked \"truncated\"", false, R::applies,
       kPositive},
      {"once", &Options::once, "", "read the inputs to their end, print the report and exit", false,
       R::restart},
      {"top", &Options::top, "N", "rows per table in the report (0: all)", false, R::applies},
      {"duration",
       DurationOption{&Options::duration},
       "DURATION",
       "with --once: stop reading after DURATION and print the report (0: at the inputs' end)",
       false,
       R::restart,
       {},
       once_only<&Options::duration>},
      {"count",
       &Options::count,
       "N",
       "with --once: stop after N events (lines with an address, packets) and print the report (0: no "
       "limit)",
       false,
       R::restart,
       {},
       once_only<&Options::count>},
      {"threads", &Options::threads, "N",
       "line inputs parse on up to N threads: --once always, the daemon when one input falls behind (0: the "
       "cores the process may run on)",
       false, R::restart, Range{0, 1024}},
      {"mitigate",
       &Options::mitigate,
       "RULE",
       "a mitigation rule: asn|prefix hits|bytes|share over WINDOW above N[k|M|G|%] ban DURATION "
       "(repeatable; "
       "docs/mitigation.md)",
       false,
       R::applies,
       {},
       mitigate::check_rules},
      {"mitigate-mode",
       &Options::mitigate_mode,
       "off|dry-run|enforce",
       "what the rules do: nothing, decide without touching the kernel, or ban in nftables (default: dry-run "
       "with rules, off without)",
       false,
       R::applies,
       {},
       mitigate::check_mode},
      {"mitigate-allow",
       &Options::mitigate_allow,
       "LIST",
       "ASNs and prefixes never banned (AS64496, 192.0.2.0/24; comma separated, repeatable)",
       false,
       R::applies,
       {},
       mitigate::check_allow},
      {"mitigate-max-prefixes", &Options::mitigate_max_prefixes, "N",
       "prefixes blocked at once at most; further decisions are refused and logged", false, R::applies,
       kPositive},
      {"mitigate-max-ban", DurationOption{&Options::mitigate_max_ban}, "DURATION",
       "the longest ban: repeat offenders' bans double up to it", false, R::applies, kPositive},
      {"mitigate-hooks",
       &Options::mitigate_hooks,
       "HOOKS",
       "where the drop chain hooks: input, forward or input,forward (a router)",
       false,
       R::applies,
       {},
       mitigate::check_hooks},
      {"mitigate-table",
       &Options::mitigate_table,
       "NAME",
       "the nftables table (family inet) bans go in",
       false,
       R::applies,
       {},
       mitigate::check_table},
      {"check-config", &Options::check_config, "",
       "check the options, the config file and what a start would refuse, then exit (0: valid)", true,
       R::restart},
      {"check-tables", &Options::check_tables, "",
       "with --check-config, also read and build the table as a start would (slow for a full RIB)", true,
       R::restart},
      {"running", &Options::check_running, "",
       "with --check-config, before a reload: a daemon runs with this config, so a port in use "
       "(metrics-listen, flow inputs) is its own, not a problem",
       true, R::restart},
  };
}

}  // namespace

std::span<const OptionDecl> option_decls() {
  static const std::vector<OptionDecl> decls = make_decls();
  return decls;
}

const OptionDecl* find_option(const std::string& name) {
  for (const OptionDecl& d : option_decls())
    if (name == d.name) return &d;
  return nullptr;
}

std::string default_text(const OptionDecl& d) {
  static const Options defaults;
  return std::visit(
      [](auto member) -> std::string {
        if constexpr (std::is_same_v<decltype(member), EnumOption>) {
          return std::string(member.names[member.get(defaults)]);
        } else if constexpr (std::is_same_v<decltype(member), DurationOption>) {
          return std::to_string(defaults.*member.seconds);
        } else {
          const auto& v = defaults.*member;
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::string>)
            return v;
          else if constexpr (std::is_same_v<T, bool>)
            return v ? "true" : "false";
          else if constexpr (std::is_same_v<T, unsigned>)
            return std::to_string(v);
          else
            return "";
        }
      },
      d.member);
}

std::string help_text(const OptionDecl& d) {
  std::string h = d.help;
  if (const auto* e = std::get_if<EnumOption>(&d.member))
    h += ": " + registry::join(std::vector<std::string>(e->names.begin(), e->names.end()));
  if (std::holds_alternative<DurationOption>(d.member)) h += " (seconds, or with a unit: 90s, 5m, 1h, 1d)";
  return h;
}

std::string check_value(const OptionDecl& d, const Options& o) {
  const auto* plain = std::get_if<unsigned Options::*>(&d.member);
  const auto* duration = std::get_if<DurationOption>(&d.member);
  if (plain || duration) {
    unsigned v = plain ? o.**plain : o.*(duration->seconds);
    if (v < d.range.min || v > d.range.max) {
      if (d.range.max != UINT_MAX)
        return "must be between " + std::to_string(d.range.min) + " and " + std::to_string(d.range.max);
      return d.range.min == 1 ? "must be greater than 0" : "must be at least " + std::to_string(d.range.min);
    }
  }
  return d.check ? d.check(o) : std::string();
}

}  // namespace asncounter
