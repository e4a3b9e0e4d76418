#include "daemon/options_table.hpp"

#include <algorithm>
#include <array>
#include <sstream>
#include <string_view>

#include "daemon/input/line_format.hpp"

namespace asncounter {

namespace {

std::string check_direction(const Options& o) {
  return o.direction == "in" || o.direction == "out" || o.direction == "inout"
             ? ""
             : "must be in, out or inout, not '" + o.direction + "'";
}

std::string check_log_level(const Options& o) {
  static constexpr std::array<std::string_view, 7> levels = {"trace", "debug",    "info", "warn",
                                                             "error", "critical", "off"};
  if (std::find(levels.begin(), levels.end(), o.log_level) != levels.end()) return "";
  return "must be one of trace, debug, info, warn, error, critical, off, not '" + o.log_level + "'";
}

std::string check_shards(const Options& o) {
  return o.shards >= 1 && o.shards <= 256 ? "" : "must be between 1 and 256";
}

std::string check_format(const Options& o) {
  auto f = LineFormat::parse(o.input_format);
  return f ? "" : f.error();
}

std::string check_inputs(const Options& o) {
  for (const std::string& s : o.inputs) {
    std::string_view v = s;
    if (v == "-" || v == "stdin") continue;
    bool ok = false;
    for (std::string_view p : {"file:", "fifo:", "pcap:", "pcap-file:"})
      ok = ok || (v.starts_with(p) && v.size() > p.size());
    if (!ok) return "'" + s + "' is not -, stdin, file:PATH, fifo:PATH, pcap:IFACE or pcap-file:PATH";
  }
  return "";
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

std::string check_positive(unsigned v) { return v > 0 ? "" : "must be greater than 0"; }

const OptionDecl kDecls[] = {
    {"config", &Options::config, "FILE",
     "read options from FILE (key = value, same names; the command line wins)", true},
    {"db", &Options::db, "FILE",
     "table file (MRT dump or pyasn ipasn, plain, gzip or bzip2); with it and no rib-url, nothing is "
     "downloaded",
     false},
    {"asnames", &Options::asnames, "FILE", "AS names (pyasn asnames.json or cidr-report autnums.html)",
     false},
    {"input", &Options::inputs, "SPEC",
     "an input: -, stdin, file:PATH, fifo:PATH, pcap:IFACE or pcap-file:PATH (repeatable; --once reads stdin "
     "when none)",
     false, check_inputs},
    {"input-format", &Options::input_format, "FMT",
     "line format: plain, tuple, field:N, tcpdump or json:KEY, optionally with ,bytes:F,latency:F", false,
     check_format},
    {"filter", &Options::filter, "BPF", "BPF filter for pcap inputs", false},
    {"direction", &Options::direction, "DIR", "packets counted by pcap inputs: in, out or inout", false,
     check_direction},
    {"socket", &Options::socket, "PATH", "control socket", false,
     [](const Options& o) { return o.socket.empty() ? std::string("must not be empty") : std::string(); }},
    {"socket-group", &Options::socket_group, "GROUP",
     "group owning the control socket (mode 0660); empty: the daemon's group", false},
    {"admin-group", &Options::admin_group, "GROUP",
     "members may reset, refresh and reload besides root and the daemon's user", false},
    {"metrics-listen", &Options::metrics_listen, "ADDR:PORT",
     "Prometheus exporter address; empty: no exporter", false, check_listen},
    {"metrics-top-asns", &Options::metrics_top_asns, "K", "per-ASN metric series for the top K ASNs only",
     false},
    {"state-dir", &Options::state_dir, "DIR", "where counts are saved across restarts", false},
    {"cache-dir", &Options::cache_dir, "DIR", "where downloaded RIB dumps and AS names are kept", false},
    {"save-interval", &Options::save_interval, "SECONDS", "seconds between state saves", false,
     [](const Options& o) { return check_positive(o.save_interval); }},
    {"rib-url", &Options::rib_url, "BASE",
     "RouteViews archive base (BASE/YYYY.MM/RIBS/rib.YYYYMMDD.HHMM.bz2)", false},
    {"refresh-interval", &Options::refresh_interval, "SECONDS", "seconds between table refreshes", false,
     [](const Options& o) { return check_positive(o.refresh_interval); }},
    {"asnames-url", &Options::asnames_url, "URL",
     "where to fetch AS names (asnames.json or autnums.html); empty: none", false},
    {"log-level", &Options::log_level, "LEVEL", "trace, debug, info, warn, error, critical or off", false,
     check_log_level},
    {"shards", &Options::shards, "N", "counter store shards (rounded up to a power of two)", false,
     check_shards},
    {"max-clients", &Options::max_clients, "N", "control socket clients at once", false,
     [](const Options& o) { return check_positive(o.max_clients); }},
    {"client-timeout", &Options::client_timeout, "SECONDS", "seconds a control client may take per request",
     false, [](const Options& o) { return check_positive(o.client_timeout); }},
    {"once", &Options::once, "", "read the inputs to their end, print the report and exit", false},
    {"top", &Options::top, "N", "rows per table in the report (0: all)", false},
    {"check-config", &Options::check_config, "",
     "check the options and the config file, then exit (0: valid)", true},
};

}  // namespace

std::span<const OptionDecl> option_decls() { return kDecls; }

const OptionDecl* find_option(const std::string& name) {
  for (const OptionDecl& d : option_decls())
    if (name == d.name) return &d;
  return nullptr;
}

std::string default_text(const OptionDecl& d) {
  static const Options defaults;
  return std::visit(
      [](auto member) -> std::string {
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
      },
      d.member);
}

}  // namespace asncounter
