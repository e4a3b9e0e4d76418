#include "ctl/commands.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <istream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>

#include "common/parse_duration.hpp"
#include "common/parse_number.hpp"
#include "common/report.hpp"
#include "common/rpc.hpp"
#include "common/suggest.hpp"
#include "common/version.hpp"
#include "ctl/arguments.hpp"
#include "ctl/blocklist.hpp"
#include "ctl/blocklist_select.hpp"
#include "ctl/client.hpp"
#include "ctl/confirm.hpp"
#include "ctl/exit_codes.hpp"
#include "ctl/lookup.hpp"
#include "ctl/offline.hpp"
#include "ctl/printers.hpp"
#include "ctl/table_warnings.hpp"
#include "ctl/watch.hpp"

namespace asncounter::ctl {
namespace {

using nlohmann::json;

// asncounterctl's own flags; the daemon methods' flags come from rpc::params().
enum Flag : unsigned {
  kBy = 1,
  kFormat = 2,
  kDb = 4,
  kMinCount = 8,
  kWatch = 16,
  kExclude = 32,
  kFamily = 64,
  kAsnames = 128,
  kAsnList = 256,      // block-list --asn N[,N]
  kHook = 512,         // block-list --hook input|forward
  kBanTimeout = 1024,  // block-list --timeout DURATION
  kSeries = 2048,      // asn N --series
  kYes = 4096          // reset --yes
};

struct Args {
  std::vector<std::string> positional;
  rpc::Params params;  // the parameters given as flags (--limit N, --asn ASN, ...)
  std::string by = "prefix";
  std::string format;
  std::string db;
  std::string asnames;              // lookup --db: AS names file
  std::uint64_t min_count = 0;      // block-list: rows under it are never blocked
  unsigned watch = 2;               // top --watch: seconds between screens
  std::string exclude;              // block-list: file of networks never blocked
  std::optional<Family> family;     // block-list: one family only
  std::vector<std::uint32_t> asns;  // block-list --asn: these ASNs' space
  std::string hook = "input";       // block-list --hook: input, forward or both
  std::uint64_t ban_timeout = 0;    // block-list --timeout: seconds
  unsigned given = 0;               // Flag bits given
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

// One line saying what is wrong, and where to look: not the whole usage.
int usage_error(Ctx& c, const std::string& why) {
  c.err << "asncounterctl: " << why << "\n(see asncounterctl --help)\n";
  return kExitUsage;
}

// One call; on success `result` holds the answer's JSON text. `quiet`: an
// unreachable daemon is not said (the watch screen says "reconnecting").
int call(Ctx& c, rpc::MethodId method, const rpc::Params& params, std::string& result, bool quiet = false) {
  if (!c.client) {
    auto connected = Client::connect(c.socket, c.timeout);
    if (!connected) {
      if (!quiet) c.err << "asncounterctl: " << connected.error() << "\n";
      return kExitUnreachable;
    }
    c.client.emplace(std::move(*connected));
  }
  auto r = c.client->call(method, params);
  if (!r) {
    if (!quiet) c.err << "asncounterctl: " << r.error() << "\n";
    c.client.reset();  // the next call connects again (a restarted daemon)
    return kExitUnreachable;
  }
  if (!r->result_json) {
    c.err << "asncounterctl: asncounterd: " << r->error_message << " (error " << r->error_code << ")\n";
    return kExitDaemonError;
  }
  result = std::move(*r->result_json);
  return kExitOk;
}

}  // namespace

std::optional<std::uint32_t> parse_asn(std::string_view text) {
  // "AS4134", "as4134" and "4134" are the same ASN, as whois and looking
  // glasses write it.
  if (text.size() > 2 && (text[0] == 'A' || text[0] == 'a') && (text[1] == 'S' || text[1] == 's'))
    text.remove_prefix(2);
  return parse_unsigned<std::uint32_t>(text);
}

namespace {

// A number parameter's value; an ASN may carry its "AS" prefix.
std::optional<std::uint64_t> parse_param_number(const rpc::ParamSpec& spec, std::string_view text) {
  if (spec.id == rpc::ParamId::asn) {
    auto asn = parse_asn(text);
    return asn ? std::optional<std::uint64_t>(*asn) : std::nullopt;
  }
  return parse_unsigned<std::uint64_t>(text);
}

// The method's required parameters from the words after the command, as
// declared in rpc::params(): one word per number, every word for a list.
std::optional<std::string> bind_positional(const rpc::Method& m, const std::vector<std::string>& words,
                                           rpc::Params& p) {
  const std::string arity = std::string(m.command) + " takes " + rpc::command_usage(m);
  std::size_t next = 0;
  for (const auto& spec : rpc::params()) {
    if (!(m.required & rpc::param_bit(spec.id))) continue;
    if (next >= words.size()) return arity;
    if (spec.type == rpc::ParamType::text) {
      // The words are the text ("whois hetzner online").
      std::string text;
      for (auto w = words.begin() + static_cast<std::ptrdiff_t>(next); w != words.end(); ++w)
        text += (text.empty() ? "" : " ") + *w;
      if (text.size() < spec.min || text.size() > spec.max) return arity;
      p.set_text(spec.id, text);
      next = words.size();
      continue;
    }
    if (spec.type == rpc::ParamType::addresses) {
      // The daemon validates the addresses: its answer names the bad one.
      p.set(spec.id,
            std::vector<std::string>(words.begin() + static_cast<std::ptrdiff_t>(next), words.end()));
      next = words.size();
      continue;
    }
    if (spec.type == rpc::ParamType::text) {
      p.set_text(spec.id, words[next]);
      ++next;
      continue;
    }
    auto n = parse_param_number(spec, words[next]);
    if (!n || *n < spec.min || *n > spec.max) return "not " + std::string(spec.help) + ": " + words[next];
    p.set(spec.id, *n);
    ++next;
  }
  // A stray word is a mistake (`top 5` meant --limit 5): said, not ignored.
  if (next != words.size())
    return stray_words_message(
        m, std::vector<std::string>(words.begin() + static_cast<std::ptrdiff_t>(next), words.end()));
  return std::nullopt;
}

// Any daemon method: its parameters from the command line, one call, the answer printed.
int run_method(Ctx& c, const rpc::Method& m, const Args& a) {
  rpc::Params p = a.params;
  if (auto why = bind_positional(m, a.positional, p)) return usage_error(c, *why);
  std::string result;
  if (int rc = call(c, m.id, p, result)) return rc;
  if (m.id == rpc::MethodId::top) warn_if_all_unrouted(result, c.err);
  return print_answer(m.id, result, c.json, c.out, c.err);
}

int run_offline_as_prefixes(Ctx& c, const Args& a) {
  if (a.positional.size() != 1) return usage_error(c, "as-prefixes takes one ASN");
  auto asn = parse_asn(a.positional[0]);
  if (!asn) return usage_error(c, "not an ASN: " + a.positional[0]);
  return offline_as_prefixes(a.db, *asn, c.out, c.err);
}

int run_offline_lookup(Ctx& c, const Args& a) {
  LookupBatch answer;
  if (int rc = offline_lookup_batch(a.db, a.asnames, answer, c.err)) return rc;
  return ctl::run_lookup(answer, a.positional, c.in, c.json, c.out, c.err);
}

// The daemon's lookup, as the offline one: stdin when no address is given.
int run_lookup(Ctx& c, const Args& a) {
  auto answer = [&](std::span<const std::string> texts, std::string& result) {
    rpc::Params p;
    p.set(rpc::ParamId::ips, std::vector<std::string>(texts.begin(), texts.end()));
    return call(c, rpc::MethodId::lookup, p, result);
  };
  return ctl::run_lookup(answer, a.positional, c.in, c.json, c.out, c.err);
}

int run_block_list(Ctx& c, const Args& a) {
  auto format = parse_block_format(a.format);
  if (!format) return usage_error(c, "block-list needs --format " + block_format_names());
  if (a.by != "asn" && a.by != "prefix") return usage_error(c, "--by takes asn or prefix");
  if (!a.positional.empty()) return usage_error(c, "block-list takes no arguments");
  if (!a.asns.empty() && ((a.given & kBy) || a.params.has(rpc::ParamId::limit)))
    return usage_error(c, "block-list --asn names the ASNs: no --by or --limit");
  BlockRules rules{.input = a.hook == "input" || a.hook == "input,forward" || a.hook == "forward,input",
                   .forward = a.hook == "forward" || a.hook == "input,forward" || a.hook == "forward,input",
                   .timeout = a.ban_timeout};
  if (!rules.input && !rules.forward) return usage_error(c, "--hook takes input, forward or input,forward");
  if ((a.given & (kHook | kBanTimeout)) && !block_format(*format).takes_rules)
    return usage_error(c, "--hook and --timeout are for --format nft");
  if (a.params.word(rpc::ParamId::sort) == "prefix")
    return usage_error(c, "block-list --sort takes hits or bytes (rows are taken from the top)");
  BlockOptions o{.asns = a.asns,
                 .by_asn = a.by == "asn",
                 .limit = a.params.number(rpc::ParamId::limit).value_or(rpc::kDefaultLimit),
                 .window = a.params.number(rpc::ParamId::window),
                 .sort = std::string(a.params.word(rpc::ParamId::sort).value_or("")),
                 .input = a.params.text(rpc::ParamId::input).value_or(""),
                 .min_count = a.min_count,
                 .family = a.family,
                 .exclude_file = a.exclude,
                 .format = *format,
                 .rules = rules,
                 .json = c.json};
  auto fetch = [&](rpc::MethodId m, const rpc::Params& p, std::string& result) {
    return call(c, m, p, result);
  };
  return ctl::run_block_list(fetch, o, c.out, c.err);
}

// asn N --series: the `series` method of one ASN, printed as columns.
int run_asn_series(Ctx& c, const Args& a) {
  if (a.positional.size() != 1) return usage_error(c, "asn --series takes one ASN");
  auto asn = parse_asn(a.positional[0]);
  if (!asn) return usage_error(c, "not an ASN: " + a.positional[0]);
  rpc::Params p = a.params;
  p.set(rpc::ParamId::asn, *asn);
  std::string result;
  if (int rc = call(c, rpc::MethodId::series, p, result)) return rc;
  return print_answer(rpc::MethodId::series, result, c.json, c.out, c.err);
}

int run_convert(Ctx& c, const Args& a) {
  if (a.positional.size() != 2) return usage_error(c, "convert takes INPUT OUTPUT");
  return convert(a.positional[0], a.positional[1], c.err);
}

// asncounterctl's own commands, and the offline forms of daemon commands
// (selected by --db). The daemon's commands come from rpc::methods().
struct LocalCommand {
  std::string_view name;
  unsigned needs;   // Flag bits that select this form (the daemon method otherwise)
  unsigned flags;   // Flag bits it accepts
  unsigned params;  // rpc parameters it accepts as flags (rpc::param_set)
  // After the name and the parameter flags; '\n' continues on the next line;
  // {formats} stands for the block-list formats' names, from their rows.
  std::string_view usage;
  std::string_view help;  // '\n' continues on the next line
  Runner run;
};

constexpr LocalCommand kLocalCommands[] = {
    {"block-list", 0, kBy | kFormat | kMinCount | kExclude | kFamily | kAsnList | kHook | kBanTimeout,
     rpc::param_set(rpc::ParamId::limit, rpc::ParamId::window, rpc::ParamId::sort, rpc::ParamId::input),
     "[--by asn|prefix | --asn N[,N]]\n  [--min-count N] [--family 4|6] [--exclude FILE]\n  [--hook "
     "input|forward] [--timeout DURATION]\n  --format {formats}",
     "block rules for the top talkers, prefixes merged;\nby prefix (default) or every prefix of the top "
     "ASNs,\nor the ASNs given; other ASNs' more-specifics\nare never blocked; with --window, the top of the"
     "\nlast DURATION; never those under --min-count\nhits, nor the networks and ASNs listed in FILE;\nnft: "
     "--hook (input), --timeout (elements expire)",
     run_block_list},
    {"lookup", kDb, kDb | kAsnames, 0, "--db FILE [--asnames FILE] [IP...]",
     "offline: ip, asn, prefix, AS name per address\n(stdin when none given)", run_offline_lookup},
    {"lookup", 0, 0, 0, "[IP...]",
     "ip, asn, prefix, AS name per address from the\ndaemon (stdin when none given)", run_lookup},
    {"as-prefixes", kDb, kDb, 0, "--db FILE ASN", "offline: prefixes of ASN in FILE",
     run_offline_as_prefixes},
    {"convert", 0, 0, 0, "INPUT OUTPUT", "offline: any table source to a pyasn ipasn file", run_convert},
    {"asn", kSeries, kSeries, rpc::param_set(rpc::ParamId::window, rpc::ParamId::input), "--series ASN",
     "per-step hits and bytes of ASN and of the\ntotal over the window (default 1h), as columns",
     run_asn_series},
};

const LocalCommand* find_local(std::string_view name, unsigned given) {
  for (const auto& cmd : kLocalCommands) {
    if (cmd.name == name && (given & cmd.needs) == cmd.needs) return &cmd;
  }
  return nullptr;
}

// The flags of the parameters in `set`, e.g. "[--limit N] [--asn ASN]".
std::string param_flags(unsigned set) {
  std::string out;
  for (const auto& p : rpc::params()) {
    if (!(set & rpc::param_bit(p.id))) continue;
    if (!out.empty()) out += " ";
    out.append("[--").append(p.key).append(" ").append(p.metavar).append("]");
  }
  return out;
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

// Reads the flag of a number parameter ("--limit N"); its declaration, or null.
const rpc::ParamSpec* take_param_flag(const std::vector<std::string>& args, std::size_t& i,
                                      std::string& value) {
  for (const auto& spec : rpc::params()) {
    if (spec.type != rpc::ParamType::addresses && take_flag(args, i, "--" + std::string(spec.key), value))
      return &spec;
  }
  return nullptr;
}

}  // namespace

std::optional<std::uint64_t> parse_duration(std::string_view text) { return parse_duration_seconds(text); }

namespace {

// "; did you mean '--limit'?" for a mistyped flag.
std::string option_suggestion(const std::string& arg) {
  std::vector<std::string> flags = {"json", "socket",  "timeout", "window",  "min-count", "watch",
                                    "by",   "format",  "db",      "help",    "version",   "yes",
                                    "sort", "exclude", "family",  "asnames", "hook",      "keep-history"};
  for (const auto& p : rpc::params()) flags.emplace_back(p.key);
  std::string typed =
      arg.substr(2, arg.find('=') == std::string::npos ? std::string::npos : arg.find('=') - 2);
  auto near = nearest_name(typed, flags);
  return near && *near != typed ? "; did you mean '--" + *near + "'?" : "";
}

// block-list's --timeout DURATION and --asn N[,N]; an error, or nullopt.
std::optional<std::string> parse_block_flag(const std::vector<std::string>& args, std::size_t& i, Args& a) {
  std::string v;
  if (take_flag(args, i, "--timeout", v)) {
    auto seconds = parse_duration(v);
    if (!seconds || *seconds == 0 || *seconds > UINT32_MAX)
      return "block-list --timeout takes a positive duration: SECONDS, or a number with s, m, h or d (10m); "
             "not " +
             v;
    a.ban_timeout = *seconds, a.given |= kBanTimeout;
    return std::nullopt;
  }
  if (take_flag(args, i, "--asn", v)) {
    for (std::string_view rest = v; !rest.empty();) {
      std::string_view word = rest.substr(0, rest.find(','));
      rest.remove_prefix(std::min(rest.size(), word.size() + 1));
      auto asn = parse_asn(word);
      if (!asn) return "--asn takes AS numbers separated by commas (64496,AS64497); not " + v;
      a.asns.push_back(*asn);
    }
    if (a.asns.empty()) return "--asn takes AS numbers separated by commas (64496,AS64497)";
    a.given |= kAsnList;
    return std::nullopt;
  }
  return "unknown or incomplete option " + args[i] + option_suggestion(args[i]);
}

// Global options may come anywhere; the first other word is the command.
std::optional<std::string> parse_args(Ctx& c, const std::vector<std::string>& args, std::string& command,
                                      Args& a) {
  std::string v;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--json") {
      c.json = true;
    } else if (command == "block-list" && (arg == "--timeout" || arg.starts_with("--timeout=") ||
                                           arg == "--asn" || arg.starts_with("--asn="))) {
      // After block-list, --timeout is how long its rules last and --asn
      // takes a list; before the command, they keep their global meaning.
      if (auto why = parse_block_flag(args, i, a)) return why;
    } else if (take_flag(args, i, "--hook", v)) {
      a.hook = v, a.given |= kHook;
    } else if (take_flag(args, i, "--socket", v)) {
      c.socket = v;
    } else if (take_flag(args, i, "--timeout", v)) {
      auto s = parse_unsigned<unsigned>(v);
      if (!s || *s == 0) return "--timeout takes a positive number of seconds";
      c.timeout = std::chrono::seconds(*s);
    } else if (take_flag(args, i, "--window", v)) {
      auto seconds = parse_duration(v);
      if (!seconds || *seconds > rpc::param(rpc::ParamId::window).max)
        return "--window takes a duration: SECONDS, or a number with s, m, h or d (90s, 5m, 1h, 1d); not " +
               v;
      a.params.set(rpc::ParamId::window, *seconds);
    } else if (take_flag(args, i, "--min-count", v)) {
      auto n = parse_unsigned<std::uint64_t>(v);
      if (!n) return "--min-count takes a number of hits";
      a.min_count = *n, a.given |= kMinCount;
    } else if (arg == "--watch") {
      a.given |= kWatch;
      // An optional number of seconds may follow.
      if (i + 1 < args.size()) {
        if (auto s = parse_unsigned<unsigned>(args[i + 1]); s && *s > 0) a.watch = *s, ++i;
      }
    } else if (take_flag(args, i, "--watch", v)) {
      auto s = parse_unsigned<unsigned>(v);
      if (!s || *s == 0) return "--watch takes a positive number of seconds";
      a.watch = *s, a.given |= kWatch;
    } else if (arg == "--yes") {
      a.given |= kYes;
    } else if (take_flag(args, i, "--sort", v)) {
      if (!rpc::is_choice(rpc::param(rpc::ParamId::sort), v))
        return "--sort takes " + std::string(rpc::param(rpc::ParamId::sort).metavar) + ", not " + v;
      a.params.set_text(rpc::ParamId::sort, v);
    } else if (arg == "--keep-history") {  // reset's spelling of --keep history
      a.params.set_text(rpc::ParamId::keep, "history");
    } else if (const rpc::ParamSpec* spec = take_param_flag(args, i, v)) {
      if (spec->type == rpc::ParamType::word) {
        if (!rpc::is_choice(*spec, v))
          return "--" + std::string(spec->key) + " takes " + std::string(spec->metavar) + ", not " + v;
        a.params.set_text(spec->id, v);
        continue;
      }
      if (spec->type == rpc::ParamType::text) {
        if (v.size() < spec->min || v.size() > spec->max)
          return "--" + std::string(spec->key) + " takes " + std::string(spec->help) + " of at most " +
                 std::to_string(spec->max) + " bytes";
        a.params.set_text(spec->id, v);
        continue;
      }
      // A ban's length is a duration, as --window is.
      auto n = spec->id == rpc::ParamId::for_ ? parse_duration(v) : parse_param_number(*spec, v);
      if (!n || *n < spec->min || *n > spec->max)
        return "--" + std::string(spec->key) + " takes " + std::string(spec->help);
      a.params.set(spec->id, *n);
    } else if (arg == "--series") {
      a.given |= kSeries;
    } else if (take_flag(args, i, "--exclude", v)) {
      a.exclude = v, a.given |= kExclude;
    } else if (take_flag(args, i, "--family", v)) {
      if (v != "4" && v != "6") return "--family takes 4 or 6";
      a.family = v == "4" ? Family::v4 : Family::v6, a.given |= kFamily;
    } else if (take_flag(args, i, "--by", v)) {
      a.by = v, a.given |= kBy;
    } else if (take_flag(args, i, "--format", v)) {
      a.format = v, a.given |= kFormat;
    } else if (take_flag(args, i, "--asnames", v)) {
      a.asnames = v, a.given |= kAsnames;
    } else if (take_flag(args, i, "--db", v)) {
      a.db = v, a.given |= kDb;
    } else if (arg.starts_with("--") && arg.size() > 2) {
      return "unknown or incomplete option " + arg + option_suggestion(arg);
    } else if (looks_like_option(arg)) {
      auto meant = long_option_for(arg);
      return "unknown option " + arg +
             (meant ? "; did you mean '" + *meant + "'?" : "; options are long (--limit N)");
    } else if (command.empty()) {
      command = arg;
    } else {
      a.positional.push_back(arg);
    }
  }
  return std::nullopt;
}

// "; did you mean 'stats'?" for a mistyped command.
std::string suggestion(const std::string& typed) {
  std::vector<std::string> names;
  for (const auto& m : rpc::methods()) names.emplace_back(m.command);
  for (const auto& cmd : kLocalCommands) names.emplace_back(cmd.name);
  return did_you_mean(typed, names);
}

}  // namespace

bool has_command(std::string_view name) {
  if (rpc::find_command(name)) return true;
  return std::any_of(std::begin(kLocalCommands), std::end(kLocalCommands),
                     [&](const LocalCommand& cmd) { return cmd.name == name; });
}

namespace {

// The forms asncounterctl runs itself on top of a daemon method; listed
// right after that method's line.
struct ExtraForm {
  std::string_view command;
  std::string_view usage;
  std::string_view help;
};
constexpr ExtraForm kExtraForms[] = {
    {"reset", "--yes [--keep-history]",
     "without asking: reset asks first on a\nterminal, and needs --yes without one;\n--keep-history: the "
     "windows stay"},
    {"top", "--watch [SECONDS] [--limit N] [--window D]\n  [--sort hits|bytes]",
     "live screen like top(1): ASNs by their rate over\nthe last SECONDS (default 2), or over the "
     "window;\nkeys: p prefixes/ASNs, b hits/bytes, q quits"},
};

// One command's line (and its continuation lines, usage and help side by side).
std::string help_lines(std::string_view usage, std::string_view help) {
  auto line = [](std::string_view left, std::string_view text) {
    std::string l = "  " + std::string(left);
    l.resize(std::max<std::size_t>(l.size() + 2, 44), ' ');
    return l + std::string(text) + "\n";
  };
  auto first = [](std::string_view v) { return v.substr(0, v.find('\n')); };
  auto rest = [](std::string_view v) {
    return v.find('\n') == std::string_view::npos ? std::string_view() : v.substr(v.find('\n') + 1);
  };
  std::string out = line(first(usage), first(help));
  for (usage = rest(usage), help = rest(help); !usage.empty() || !help.empty();
       usage = rest(usage), help = rest(help))
    out += line(first(usage), first(help));
  return out;
}

// `usage` with {formats} replaced by the block-list formats' names, the line
// broken after a '|' once it passes 40 columns (as the usage lines are).
std::string with_format_names(std::string_view usage) {
  const std::size_t at = usage.find("{formats}");
  if (at == std::string_view::npos) return std::string(usage);
  std::string names;
  std::size_t column = at - (usage.rfind('\n', at) == std::string_view::npos ? 0 : usage.rfind('\n', at) + 1);
  for (const auto& row : block_formats()) {
    std::string word = (names.empty() ? "" : "|") + std::string(row.name);
    if (column + word.size() > 40 && !names.empty()) {
      names += "|\n  ";
      word.erase(0, 1);
      column = 2;
    }
    names += word;
    column += word.size();
  }
  return std::string(usage.substr(0, at)) + names + std::string(usage.substr(at + 9));
}

// The lines of the daemon's commands and then asncounterctl's; only those
// named `only` when it is not empty.
std::string command_lines(std::string_view only, bool headings) {
  std::string out;
  if (headings)
    out += "commands answered by asncounterd (protocol " + std::to_string(rpc::kProtocolVersion) + "):\n";
  for (const auto& m : rpc::methods()) {
    // A command asncounterctl runs itself (lookup reads stdin) is listed below.
    if (find_local(m.command, 0) || (!only.empty() && m.command != only)) continue;
    std::string left(m.command);
    if (auto u = rpc::command_usage(m); !u.empty()) left += " " + u;
    out += help_lines(left, std::string(m.help) + (m.access == rpc::Access::admin ? " (admin)" : ""));
    for (const auto& extra : kExtraForms)
      if (extra.command == m.command)
        out += help_lines(std::string(extra.command) + " " + std::string(extra.usage), extra.help);
  }
  if (headings) out += "\ncommands of asncounterctl:\n";
  for (const auto& cmd : kLocalCommands) {
    if (!only.empty() && cmd.name != only) continue;
    std::string left(cmd.name);
    if (cmd.params) left += " " + param_flags(cmd.params);
    const std::string usage = with_format_names(cmd.usage);
    left += " " + usage.substr(0, usage.find('\n'));
    if (usage.find('\n') != std::string::npos) left += usage.substr(usage.find('\n'));
    out += help_lines(left, cmd.help);
  }
  return out;
}

}  // namespace

namespace {

// top --watch: the screen of ctl/watch.cpp over this connection.
int run_watch(Ctx& c, const Args& a) {
  if (c.json) return usage_error(c, "top --watch draws a screen; for JSON, run top --json at each interval");
  if (!a.positional.empty())
    return usage_error(c, "top --watch takes no arguments, not '" + a.positional[0] + "'");
  if ((a.given & ~kWatch) ||
      (a.params.given() & ~rpc::param_set(rpc::ParamId::limit, rpc::ParamId::window, rpc::ParamId::sort)))
    return usage_error(c, "top --watch takes only --limit, --window and --sort");
  if (a.params.word(rpc::ParamId::sort) == "prefix")
    return usage_error(c, "top --watch --sort takes hits or bytes");
  WatchOptions o{.seconds = a.watch,
                 .rows = a.params.number<std::size_t>(rpc::ParamId::limit).value_or(20),
                 .window = a.params.number(rpc::ParamId::window),
                 .prefixes = false,
                 .bytes = a.params.word(rpc::ParamId::sort) == "bytes"};
  if (o.window == 0U) o.window.reset();
  bool answered = false;
  auto fetch = [&](const WatchQuery& q, std::string& result) {
    rpc::Params p;
    p.set(rpc::ParamId::limit, q.limit);
    if (q.window) p.set(rpc::ParamId::window, *q.window);
    if (q.bytes) p.set_text(rpc::ParamId::sort, "bytes");
    int rc = call(c, q.prefixes ? rpc::MethodId::prefixes : rpc::MethodId::top, p, result, answered);
    answered = answered || rc == kExitOk;
    return rc;
  };
  return watch_top(fetch, o, c.out, c.err);
}

}  // namespace

std::string usage() {
  std::string out =
      "usage: asncounterctl [--socket PATH] [--json] [--timeout SECONDS] COMMAND [ARGS]\n"
      "       asncounterctl COMMAND --help | -h|--help | --version\n\n";
  out += command_lines({}, true);
  out +=
      "\nASNs may be written with their AS prefix (AS64496). Durations: SECONDS, or a number with s, m,\n"
      "h or d (90s, 5m, 1h, 1d). The socket is --socket, else $ASNCOUNTER_SOCKET, else\n"
      "/run/asncounter/control.sock.\n";
  out += "\nexit codes: 0 ok, 1 the daemon answered an error, 2 usage, 3 cannot reach the daemon\n";
  return out;
}

std::optional<std::string> command_help(std::string_view command) {
  if (!has_command(command)) return std::nullopt;
  return "usage: asncounterctl [--socket PATH] [--json] [--timeout SECONDS] " + std::string(command) +
         " ...\n\n" + command_lines(command, false) +
         "\nexit codes: 0 ok, 1 the daemon answered an error, 2 usage, 3 cannot reach the daemon\n";
}

int run(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err) {
  Ctx c{.in = in, .out = out, .err = err, .client = std::nullopt};
  if (std::find(args.begin(), args.end(), "--help") != args.end() ||
      std::find(args.begin(), args.end(), "-h") != args.end()) {
    // `top --help`: that command's lines; the whole usage otherwise.
    std::vector<std::string> rest;
    std::copy_if(args.begin(), args.end(), std::back_inserter(rest),
                 [](const std::string& a) { return a != "--help" && a != "-h"; });
    std::string command;
    Args ignored;
    (void)parse_args(c, rest, command, ignored);
    auto help = command_help(command);
    out << (help ? *help : usage());
    return kExitOk;
  }
  if (std::find(args.begin(), args.end(), "--version") != args.end()) {
    out << "asncounterctl " << version() << " (protocol " << rpc::kProtocolVersion << ")\n";
    return kExitOk;
  }
  // The environment names the socket; --socket still wins.
  if (const char* socket = std::getenv("ASNCOUNTER_SOCKET"); socket && *socket) c.socket = socket;
  std::string command;
  Args a;
  if (auto why = parse_args(c, args, command, a)) return usage_error(c, *why);
  if (const LocalCommand* local = find_local(command, a.given)) {
    if ((a.given & ~local->flags) || (a.params.given() & ~local->params))
      return usage_error(c, "option not accepted by " + command);
    return local->run(c, a);
  }
  const rpc::Method* m = rpc::find_command(command);
  if (!m)
    return usage_error(
        c, command.empty() ? "no command given" : "unknown command " + command + suggestion(command));
  if (command == "top" && (a.given & kWatch)) return run_watch(c, a);
  if (command == "reset") {
    // Zeroing every count is not undone: asked on a terminal, --yes otherwise.
    if (!a.positional.empty() || (a.params.given() & ~rpc::param_set(rpc::ParamId::keep)) ||
        (a.given & ~kYes))
      return usage_error(c, "reset takes only --yes and --keep-history");
    const bool keep = a.params.word(rpc::ParamId::keep) == "history";
    const std::string what =
        keep ? "every since-start count (the windows stay)" : "every count and the windows";
    if (!(a.given & kYes)) {
      if (!stdin_is_terminal())
        return usage_error(c, "reset zeroes " + what + ", and there is no terminal to ask: add --yes");
      if (!confirmed(c.in, c.err, "zero " + what + " of the daemon at " + c.socket + "?")) {
        c.err << "asncounterctl: nothing reset\n";
        return kExitDaemonError;
      }
    }
    Args sent;
    sent.params = a.params;
    return run_method(c, *m, sent);
  }
  // Flags carry the optional parameters; the required ones are positional.
  if (a.given || (a.params.given() & ~(m->params & ~m->required)))
    return usage_error(c, "option not accepted by " + command);
  return run_method(c, *m, a);
}

}  // namespace asncounter::ctl
