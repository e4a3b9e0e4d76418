#include "ctl/commands.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <istream>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>

#include "common/parse_number.hpp"
#include "common/report.hpp"
#include "common/rpc.hpp"
#include "common/text_escape.hpp"
#include "ctl/blocklist.hpp"
#include "ctl/client.hpp"
#include "ctl/exit_codes.hpp"
#include "ctl/offline.hpp"

namespace asncounter::ctl {
namespace {

using nlohmann::json;

enum Flag : unsigned { kLimit = 1, kAsn = 2, kBy = 4, kFormat = 8, kDb = 16 };

struct Args {
  std::vector<std::string> positional;
  std::optional<std::uint64_t> limit;
  std::optional<std::uint32_t> asn;
  std::string by = "prefix";
  std::string format;
  std::string db;
  unsigned given = 0;
};

struct Ctx {
  std::string socket = "/run/asncounter/control.sock";
  bool json = false;
  std::chrono::milliseconds timeout{30000};
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  std::optional<Client> client;
};

using Runner = int (*)(Ctx&, const Args&);

struct Command {
  std::string_view name;
  unsigned flags;  // Flag bits it accepts
  Runner run;
};

int usage_error(Ctx& c, const std::string& why) {
  c.err << "asncounterctl: " << why << "\n" << usage();
  return kExitUsage;
}

// One call; on success `result` holds the answer's JSON text.
int call(Ctx& c, std::string_view method, const rpc::Params& params, std::string& result) {
  if (!c.client) {
    auto connected = Client::connect(c.socket, c.timeout);
    if (!connected) {
      c.err << "asncounterctl: " << connected.error() << "\n";
      return kExitUnreachable;
    }
    c.client.emplace(std::move(*connected));
  }
  auto r = c.client->call(method, params);
  if (!r) {
    c.err << "asncounterctl: " << r.error() << "\n";
    return kExitUnreachable;
  }
  if (!r->result_json) {
    c.err << "asncounterctl: asncounterd: " << r->error_message << " (error " << r->error_code << ")\n";
    return kExitDaemonError;
  }
  result = std::move(*r->result_json);
  return kExitOk;
}

int print_table(Ctx& c, const std::string& result, bool prefixes) {
  auto table = report_from_json(result, prefixes);
  if (!table) {
    c.err << "asncounterctl: " << table.error() << "\n";
    return kExitDaemonError;
  }
  std::string text;
  append_tsv(text, *table);
  c.out << text;
  return kExitOk;
}

int run_table(Ctx& c, const Args& a, const char* method, bool prefixes) {
  std::string result;
  rpc::Params p;
  p.limit = a.limit;
  p.asn = a.asn;
  if (int rc = call(c, method, p, result)) return rc;
  if (c.json) return c.out << result << "\n", kExitOk;
  return print_table(c, result, prefixes);
}

int run_top(Ctx& c, const Args& a) { return run_table(c, a, "top", false); }
int run_prefixes(Ctx& c, const Args& a) { return run_table(c, a, "prefixes", true); }

int run_report(Ctx& c, const Args& a) {
  std::string result;
  if (int rc = call(c, "report", rpc::Params{a.limit, {}, {}}, result)) return rc;
  if (c.json) return c.out << result << "\n", kExitOk;
  json doc = json::parse(result, nullptr, false);
  if (!doc.is_object() || !doc.contains("asns") || !doc.contains("prefixes")) {
    c.err << "asncounterctl: malformed report answer\n";
    return kExitDaemonError;
  }
  auto asns = report_from_json(doc["asns"].dump(), false);
  auto prefixes = report_from_json(doc["prefixes"].dump(), true);
  if (!asns || !prefixes) {
    c.err << "asncounterctl: " << (asns ? prefixes.error() : asns.error()) << "\n";
    return kExitDaemonError;
  }
  c.out << format_report(*asns, *prefixes);
  return kExitOk;
}

// Strings in answers can come from outside (AS names): control characters escaped.
std::string text_or_none(const json& v) {
  if (v.is_null()) return "None";
  return v.is_string() ? escaped(v.get<std::string>()) : v.dump();
}

int run_as_prefixes(Ctx& c, const Args& a) {
  if (a.positional.size() != 1) return usage_error(c, "as-prefixes takes one ASN");
  auto asn = parse_unsigned<std::uint32_t>(a.positional[0]);
  if (!asn) return usage_error(c, "not an ASN: " + a.positional[0]);
  if (!a.db.empty()) return offline_as_prefixes(a.db, *asn, c.out, c.err);
  std::string result;
  if (int rc = call(c, "as_prefixes", rpc::Params{{}, asn, {}}, result)) return rc;
  if (c.json) return c.out << result << "\n", kExitOk;
  json doc = json::parse(result, nullptr, false);
  for (const auto& p : doc.value("prefixes", json::array())) c.out << text_or_none(p) << "\n";
  return kExitOk;
}

int run_lookup(Ctx& c, const Args& a) {
  if (!a.db.empty()) return offline_lookup(a.db, a.positional, c.in, c.out, c.err);
  if (a.positional.empty()) return usage_error(c, "lookup needs at least one address (or --db FILE)");
  rpc::Params p;
  p.ips = a.positional;
  std::string result;
  if (int rc = call(c, "lookup", p, result)) return rc;
  if (c.json) return c.out << result << "\n", kExitOk;
  json doc = json::parse(result, nullptr, false);
  for (const auto& r : doc.value("results", json::array())) {
    c.out << text_or_none(r.value("ip", json())) << '\t' << text_or_none(r.value("asn", json())) << '\t'
          << text_or_none(r.value("prefix", json())) << '\t' << text_or_none(r.value("name", json())) << "\n";
  }
  return kExitOk;
}

// `stats` as "key: value" lines, nested keys joined by dots.
void flatten(std::ostream& out, const std::string& key, const json& v) {
  if (v.is_object()) {
    for (const auto& [k, item] : v.items()) flatten(out, key.empty() ? k : key + "." + k, item);
  } else if (v.is_array()) {
    for (std::size_t i = 0; i < v.size(); ++i) flatten(out, key + "[" + std::to_string(i) + "]", v[i]);
  } else {
    out << key << ": " << text_or_none(v) << "\n";
  }
}

int run_simple(Ctx& c, const char* method, const char* done) {
  std::string result;
  if (int rc = call(c, method, rpc::Params{}, result)) return rc;
  if (c.json) return c.out << result << "\n", kExitOk;
  if (done) {
    c.out << done << "\n";
  } else {
    flatten(c.out, "", json::parse(result, nullptr, false));
  }
  return kExitOk;
}

int run_stats(Ctx& c, const Args&) { return run_simple(c, "stats", nullptr); }
int run_version(Ctx& c, const Args&) { return run_simple(c, "version", nullptr); }
int run_reset(Ctx& c, const Args&) { return run_simple(c, "reset", "counts reset"); }
int run_refresh(Ctx& c, const Args&) { return run_simple(c, "refresh", "refresh queued"); }
int run_reload(Ctx& c, const Args&) { return run_simple(c, "reload", "configuration reloaded"); }

// The prefixes to block: the top prefixes, or every prefix of the top ASNs.
int blocked_prefixes(Ctx& c, const Args& a, std::vector<Prefix>& out) {
  std::string result;
  rpc::Params p;
  p.limit = a.limit;
  const bool by_asn = a.by == "asn";
  if (int rc = call(c, by_asn ? "top" : "prefixes", p, result)) return rc;
  auto table = report_from_json(result, !by_asn);
  if (!table) return c.err << "asncounterctl: " << table.error() << "\n", kExitDaemonError;
  for (const auto& row : table->rows) {
    if (!by_asn) {
      if (row.prefix) out.push_back(*row.prefix);  // unrouted ("None") cannot be blocked
      continue;
    }
    if (!row.asn) continue;
    if (int rc = call(c, "as_prefixes", rpc::Params{{}, row.asn, {}}, result)) return rc;
    for (const auto& text : json::parse(result, nullptr, false).value("prefixes", json::array())) {
      if (auto prefix = text.is_string() ? parse_prefix(text.get<std::string>()) : std::nullopt)
        out.push_back(*prefix);
    }
  }
  return kExitOk;
}

int run_block_list(Ctx& c, const Args& a) {
  auto format = parse_block_format(a.format);
  if (!format) return usage_error(c, "block-list needs --format nft|iptables|ipset|nginx|nginx-geo|cidr");
  if (a.by != "asn" && a.by != "prefix") return usage_error(c, "--by takes asn or prefix");
  if (!a.positional.empty()) return usage_error(c, "block-list takes no arguments");
  std::vector<Prefix> prefixes;
  if (int rc = blocked_prefixes(c, a, prefixes)) return rc;
  auto merged = merge_prefixes(std::move(prefixes));
  if (c.json) {
    json list = json::array();
    for (const auto& p : merged) list.push_back(to_string(p));
    c.out << json{{"prefixes", list}}.dump() << "\n";
    return kExitOk;
  }
  c.out << format_blocklist(merged, *format);
  return kExitOk;
}

int run_convert(Ctx& c, const Args& a) {
  if (a.positional.size() != 2) return usage_error(c, "convert takes INPUT OUTPUT");
  return convert(a.positional[0], a.positional[1], c.err);
}

constexpr Command kCommands[] = {
    {"top", kLimit, run_top},
    {"prefixes", kLimit | kAsn, run_prefixes},
    {"report", kLimit, run_report},
    {"as-prefixes", kDb, run_as_prefixes},
    {"lookup", kDb, run_lookup},
    {"stats", 0, run_stats},
    {"version", 0, run_version},
    {"reset", 0, run_reset},
    {"refresh", 0, run_refresh},
    {"reload", 0, run_reload},
    {"block-list", kLimit | kBy | kFormat, run_block_list},
    {"convert", 0, run_convert},
};

const Command* find(std::string_view name) {
  for (const auto& cmd : kCommands) {
    if (cmd.name == name) return &cmd;
  }
  return nullptr;
}

// Reads one flag's value (either "--flag=value" or "--flag value").
bool take_flag(const std::vector<std::string>& args, std::size_t& i, std::string_view flag,
               std::string& value) {
  std::string_view arg = args[i];
  if (arg == flag) {
    if (i + 1 >= args.size()) return false;
    value = args[++i];
    return true;
  }
  if (arg.size() > flag.size() && arg.starts_with(flag) && arg[flag.size()] == '=') {
    value = std::string(arg.substr(flag.size() + 1));
    return true;
  }
  return false;
}

// Global options may come anywhere; the first other word is the command.
std::optional<std::string> parse_args(Ctx& c, const std::vector<std::string>& args, std::string& command,
                                      Args& a) {
  std::string v;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--json") {
      c.json = true;
    } else if (take_flag(args, i, "--socket", v)) {
      c.socket = v;
    } else if (take_flag(args, i, "--timeout", v)) {
      auto s = parse_unsigned<unsigned>(v);
      if (!s || *s == 0) return "--timeout takes a positive number of seconds";
      c.timeout = std::chrono::seconds(*s);
    } else if (take_flag(args, i, "--limit", v)) {
      if (!(a.limit = parse_unsigned<std::uint64_t>(v))) return "--limit takes a number";
      a.given |= kLimit;
    } else if (take_flag(args, i, "--asn", v)) {
      if (!(a.asn = parse_unsigned<std::uint32_t>(v))) return "--asn takes an AS number";
      a.given |= kAsn;
    } else if (take_flag(args, i, "--by", v)) {
      a.by = v, a.given |= kBy;
    } else if (take_flag(args, i, "--format", v)) {
      a.format = v, a.given |= kFormat;
    } else if (take_flag(args, i, "--db", v)) {
      a.db = v, a.given |= kDb;
    } else if (arg.starts_with("--") && arg.size() > 2) {
      return "unknown or incomplete option " + arg;
    } else if (command.empty()) {
      command = arg;
    } else {
      a.positional.push_back(arg);
    }
  }
  return std::nullopt;
}

}  // namespace

bool has_command(std::string_view name) { return find(name) != nullptr; }

std::string usage() {
  auto line = [](std::string_view left, std::string_view help) {
    std::string l = "  " + std::string(left);
    l.resize(std::max<std::size_t>(l.size() + 2, 44), ' ');
    return l + std::string(help) + "\n";
  };
  std::string out = "usage: asncounterctl [--socket PATH] [--json] [--timeout SECONDS] COMMAND [ARGS]\n\n";
  out += "commands answered by asncounterd (protocol " + std::to_string(rpc::kProtocolVersion) + "):\n";
  for (const auto& m : rpc::methods()) {
    std::string left(m.command);
    if (!m.usage.empty()) left += " " + std::string(m.usage);
    out += line(left, std::string(m.help) + (m.access == rpc::Access::admin ? " (admin)" : ""));
  }
  out += "\ncommands of asncounterctl:\n";
  out +=
      line("block-list [--limit N] [--by asn|prefix]", "block rules for the top talkers, prefixes merged;");
  out += line("  --format nft|iptables|ipset|nginx|nginx-geo|cidr",
              "by prefix (default) or every prefix of the top ASNs");
  out += line("lookup --db FILE [IP...]", "offline: ip, asn, prefix per address (stdin when none given)");
  out += line("as-prefixes --db FILE ASN", "offline: prefixes of ASN in FILE");
  out += line("convert INPUT OUTPUT", "offline: any table source to a pyasn ipasn file");
  out += "\nexit codes: 0 ok, 1 the daemon answered an error, 2 usage, 3 cannot reach the daemon\n";
  return out;
}

int run(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err) {
  Ctx c{.in = in, .out = out, .err = err, .client = std::nullopt};
  if (std::find(args.begin(), args.end(), "--help") != args.end() || args.empty()) {
    (args.empty() ? err : out) << usage();
    return args.empty() ? kExitUsage : kExitOk;
  }
  std::string command;
  Args a;
  if (auto why = parse_args(c, args, command, a)) return usage_error(c, *why);
  const Command* cmd = find(command);
  if (!cmd) return usage_error(c, command.empty() ? "no command given" : "unknown command " + command);
  if (a.given & ~cmd->flags) return usage_error(c, "option not accepted by " + command);
  return cmd->run(c, a);
}

}  // namespace asncounter::ctl
