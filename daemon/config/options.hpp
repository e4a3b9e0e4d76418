#pragma once
// The daemon's options, as plain values. Each is declared once
// (daemon/config/options_table.cpp) with its type, default, range, help and
// reload behaviour; that declaration serves the command line and the config
// file (daemon/config/command_line.hpp), --check-config and SIGHUP reloads.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/table/table_limits.hpp"
#include "daemon/input/input_options.hpp"
#include "daemon/sys/log_level.hpp"

namespace asncounter {

/// Which address of a flow is counted (--flow-address); names in kFlowAddressNames.
enum class FlowAddress : std::uint8_t { src, dst };
/// The names of FlowAddress, indexed by its value.
inline constexpr std::array<std::string_view, 2> kFlowAddressNames = {"src", "dst"};

/// An enum option's name ("inout", "debug").
constexpr std::string_view name_of(FlowAddress a) { return kFlowAddressNames[static_cast<std::size_t>(a)]; }

struct Options {
  std::string config;                           ///< --config FILE
  std::string db;                               ///< --db FILE: a table file (MRT or ipasn)
  std::string asnames;                          ///< --asnames FILE
  std::vector<std::string> inputs;              ///< --input [NAME=]SPEC (repeatable): the specs
  std::vector<std::string> input_names;         ///< a name per input: NAME, else its spec
  std::string input_format = "plain";           ///< --input-format FMT
  std::string filter;                           ///< --filter BPF
  PcapDirection direction = PcapDirection::in;  ///< --direction in|out|inout
  FlowAddress flow_address = FlowAddress::src;  ///< --flow-address src|dst
  unsigned flow_sampling = 1;                   ///< --flow-sampling: rate for exporters that send none
  std::string flow_exporters;                   ///< --flow-exporters: CIDR list, empty: loopback only
  unsigned flow_max_sampling = 65536;           ///< --flow-max-sampling: records above are refused
  std::string flow_sampling_override;           ///< --flow-sampling-override: PREFIX=RATE list
  unsigned flow_rcvbuf = 32U << 20;             ///< --flow-rcvbuf: receive buffer bytes
  std::string socket = "/run/asncounter/control.sock";
  std::string socket_group;         ///< group owning the socket (mode 0660)
  std::string admin_group;          ///< members may reset/refresh/reload
  std::string metrics_listen;       ///< ADDR:PORT, empty: no exporter
  unsigned metrics_top_asns = 100;  ///< per-ASN series for the top K only
  unsigned metrics_window = 300;    ///< seconds: the K are the most active over it
  std::string state_dir = "/var/lib/asncounter";
  std::string cache_dir = "/var/cache/asncounter";
  unsigned save_interval = 60;                ///< seconds between state saves
  unsigned history_step = 10;                 ///< seconds per history step (DESIGN.md "Time")
  unsigned history_span = 604800;             ///< seconds of history kept (the coarsest tier's week)
  unsigned history_memory = 64U << 20;        ///< bytes the history's steps may take
  unsigned history_recent = 3600;             ///< seconds the history-step steps are kept
  std::string history_tiers = "1m:1d,1h:7d";  ///< coarse tiers, RESOLUTION:SPAN (history_tiers.hpp)
  unsigned history_top_prefixes = 1000;       ///< prefixes kept exact per coarse step
  std::string rib_url = "https://archive.routeviews.org/route-views4/bgpdata";
  bool rib_url_given = false;         ///< --rib-url set explicitly (with --db: download only if set)
  bool cache_dir_given = false;       ///< --cache-dir set explicitly (--once --db makes it when missing)
  unsigned refresh_interval = 86400;  ///< seconds
  unsigned table_max_mib = kDefaultTableMaxMib;            ///< decompressed MiB of a table at most
  unsigned table_max_prefixes = kDefaultTableMaxPrefixes;  ///< distinct prefixes of a table at most
  unsigned rib_min_prefixes = kDefaultRibMinPrefixes;      ///< a first downloaded dump has at least these
  /// asnames.json or autnums.html URL; by default the cidr-report page pyasn's names come from
  std::string asnames_url = "https://www.cidr-report.org/as2.0/autnums.html";
  LogLevel log_level = LogLevel::info;
  unsigned shards = 4;           ///< counter store shards
  unsigned max_clients = 64;     ///< control socket clients at once
  unsigned client_timeout = 10;  ///< seconds a client may take per request
  bool once = false;             ///< --once: read inputs to the end, print the report
  unsigned top = 20;             ///< --top N rows per table in the report (0: all)
  unsigned duration = 0;         ///< --duration SECONDS: --once stops reading after it (0: no limit)
  unsigned count = 0;            ///< --count N: --once stops after N events (0: no limit)
  unsigned threads = 0;          ///< --threads N: line inputs of --once parse on N threads (0: all cores)
  bool check_config = false;     ///< --check-config: validate and exit
  bool check_tables = false;     ///< --check-tables: --check-config also loads the table whole
  bool check_running = false;    ///< --running: --check-config against a daemon that holds the ports

  // The control socket's other bounds (docs/operations.md "Limits").
  unsigned admin_slots = 4;           ///< of max_clients, kept for admin peers
  unsigned max_clients_per_uid = 16;  ///< control connections of one non-admin user
  unsigned rpc_max_rows = 100000;     ///< rows per table in one control answer

  // Mitigation (docs/mitigation.md).
  std::vector<std::string> mitigate;          ///< --mitigate RULE (repeatable)
  std::string mitigate_mode;                  ///< off|dry-run|enforce; empty: dry-run with rules, off without
  std::vector<std::string> mitigate_allow;    ///< ASNs and prefixes never banned
  unsigned mitigate_max_prefixes = 1000;      ///< prefixes blocked at once at most
  unsigned mitigate_max_ban = 86400;          ///< seconds: the longest ban a repeat offender gets
  std::string mitigate_hooks = "input";       ///< input, forward, or input,forward
  std::string mitigate_table = "asncounter";  ///< the nftables table (family inet)
};

/// The table bounds the options set (table-max-mib, table-max-prefixes).
inline TableLimits table_limits(const Options& o) {
  return TableLimits{std::uint64_t{o.table_max_mib} << 20, o.table_max_prefixes};
}

}  // namespace asncounter
