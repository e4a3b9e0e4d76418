#include "daemon/options_table.hpp"

#include <algorithm>
#include <array>
#include <sstream>
#include <string_view>

#include "common/registry.hpp"
#include "daemon/input/flow/flow_input.hpp"
#include "daemon/input/line_format.hpp"

namespace asncounter {

namespace {

std::string check_format(const Options& o) {
  auto f = LineFormat::parse(o.input_format);
  return f ? "" : f.error();
}

std::string check_inputs(const Options& o) {
  for (const std::string& s : o.inputs) {
    std::string_view v = s;
    if (v == "-" || v == "stdin") continue;
    bool ok = false;
    for (std::string_view p : {"file:", "fifo:", "pcap:", "pcap-file:", "sflow:", "netflow:"})
      ok = ok || (v.starts_with(p) && v.size() > p.size());
    if (!ok)
      return "'" + s +
             "' is not -, stdin, file:PATH, fifo:PATH, pcap:IFACE, pcap-file:PATH, sflow:ADDR:PORT or "
             "netflow:ADDR:PORT";
  }
  return "";
}

std::string check_exporters(const Options& o) {
  auto list = parse_exporter_list(o.flow_exporters);
  return list ? "" : list.error();
}

std::string check_listen(const Options& o) {
  if (o.metrics_listen.empty()) return "";
  auto colon = o.metrics_listen.rfind(':');
  if (colon == std::string::npos || colon + 1 == o.metrics_listen.size()) return "must be ADDR:PORT";
  std::string_view port = std::string_view(o.metrics_listen).substr(colon + 1);
  if (!std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) || port.size() > 5)
    return "must be ADDR:PORT";
  return "";
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
      {"input",
       &Options::inputs,
       "SPEC",
       "an input: -, stdin, file:PATH, fifo:PATH, pcap:IFACE, pcap-file:PATH, sflow:ADDR:PORT or "
       "netflow:ADDR:PORT (repeatable; --once reads stdin when none)",
       false,
       R::restart,
       {},
       check_inputs},
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
       "who may send flows (addresses or prefixes, comma separated); empty: any; others are dropped and "
       "counted",
       false,
       R::restart,
       {},
       check_exporters},
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
       "Prometheus exporter address; empty: no exporter",
       false,
       R::restart,
       {},
       check_listen},
      {"metrics-top-asns", &Options::metrics_top_asns, "K", "per-ASN metric series for the top K ASNs only",
       false, R::restart},
      {"state-dir", &Options::state_dir, "DIR", "where counts are saved across restarts", false, R::restart},
      {"cache-dir", &Options::cache_dir, "DIR", "where downloaded RIB dumps and AS names are kept", false,
       R::restart},
      {"save-interval", &Options::save_interval, "SECONDS", "seconds between state saves", false, R::restart,
       kPositive},
      {"rib-url", &Options::rib_url, "BASE",
       "RouteViews archive base (BASE/YYYY.MM/RIBS/rib.YYYYMMDD.HHMM.bz2)", false, R::restart},
      {"refresh-interval", &Options::refresh_interval, "SECONDS", "seconds between table refreshes", false,
       R::restart, kPositive},
      {"asnames-url", &Options::asnames_url, "URL",
       "where to fetch AS names (asnames.json or autnums.html); empty: none", false, R::restart},
      {"log-level", enum_option<&Options::log_level>(kLogLevelNames), "LEVEL", "how much to log", false,
       R::applies},
      {"shards", &Options::shards, "N", "counter store shards (rounded up to a power of two)", false,
       R::restart, kShards},
      {"max-clients", &Options::max_clients, "N", "control socket clients at once", false, R::applies,
       kPositive},
      {"client-timeout", &Options::client_timeout, "SECONDS", "seconds a control client may take per request",
       false, R::applies, kPositive},
      {"once", &Options::once, "", "read the inputs to their end, print the report and exit", false,
       R::restart},
      {"top", &Options::top, "N", "rows per table in the report (0: all)", false, R::restart},
      {"check-config", &Options::check_config, "",
       "check the options and the config file, then exit (0: valid)", true, R::restart},
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
  return h;
}

std::string check_value(const OptionDecl& d, const Options& o) {
  if (const auto* m = std::get_if<unsigned Options::*>(&d.member)) {
    unsigned v = o.**m;
    if (v < d.range.min || v > d.range.max) {
      if (d.range.max != UINT_MAX)
        return "must be between " + std::to_string(d.range.min) + " and " + std::to_string(d.range.max);
      return d.range.min == 1 ? "must be greater than 0" : "must be at least " + std::to_string(d.range.min);
    }
  }
  return d.check ? d.check(o) : std::string();
}

}  // namespace asncounter
