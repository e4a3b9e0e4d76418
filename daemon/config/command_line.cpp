// Parsing the command line and the config file from the one option table
// (daemon/config/options_table.cpp) with Boost.ProgramOptions.
#include "daemon/config/command_line.hpp"

#include <boost/program_options.hpp>
#include <climits>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "common/parse_duration.hpp"
#include "common/registry.hpp"
#include "common/suggest.hpp"
#include "common/trim.hpp"
#include "common/version.hpp"
#include "daemon/config/options_table.hpp"
#include "daemon/input/input_name.hpp"
#include "daemon/input/lines/line_format.hpp"

namespace asncounter {

namespace po = boost::program_options;

namespace {

enum class Where { cli, file };

// The value type an OptionMember alternative sets (EnumOption for enums).
template <class M>
struct MemberType {
  using type = EnumOption;
};
template <class T>
struct MemberType<T Options::*> {
  using type = T;
};
template <>
struct MemberType<DurationOption> {
  using type = DurationOption;
};

/// An option whose value was refused, and why.
struct Refused {
  std::string key;
  std::string why;
};

std::string described_help(const OptionDecl& d) {
  std::string h = help_text(d);
  std::string def = default_text(d);
  if (!def.empty() && std::holds_alternative<bool Options::*>(d.member) == false)
    h += " (default: " + def + ")";
  return h;
}

po::options_description describe(Where where) {
  po::options_description desc(where == Where::cli ? "Options" : "Config file keys");
  auto add = desc.add_options();
  if (where == Where::cli) {
    add("help,h", "print this help and exit");
    add("version", "print the version and exit");
    add("print-default-config", "print the annotated default config file and exit");
  }
  for (const OptionDecl& d : option_decls()) {
    if (where == Where::file && d.cli_only) continue;
    std::string help = described_help(d);
    std::visit(
        [&](auto member) {
          using T = typename MemberType<decltype(member)>::type;
          if constexpr (std::is_same_v<T, EnumOption> || std::is_same_v<T, DurationOption>) {
            // A name, looked up in the enum's table by apply(), or a
            // duration with its unit, read by apply().
            add(d.name, po::value<std::string>()->value_name(d.arg), help.c_str());
          } else if constexpr (std::is_same_v<T, bool>) {
            // A switch on the command line, "key = true|false" in the file.
            auto* v = po::value<bool>();
            if (where == Where::cli) v->zero_tokens()->implicit_value(true);
            add(d.name, v, help.c_str());
          } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
            add(d.name, po::value<T>()->composing()->value_name(d.arg), help.c_str());
          } else {
            add(d.name, po::value<T>()->value_name(d.arg), help.c_str());
          }
        },
        d.member);
  }
  return desc;
}

/// Copies what `vm` holds into `o`; repeated keys append (`input`). An enum
/// name that is not in its table is refused.
std::optional<Refused> apply(const po::variables_map& vm, Options& o, bool append) {
  for (const OptionDecl& d : option_decls()) {
    if (!vm.count(d.name)) continue;
    std::string why = std::visit(
        [&](auto member) -> std::string {
          using T = typename MemberType<decltype(member)>::type;
          if constexpr (std::is_same_v<T, EnumOption>) {
            const auto& v = vm[d.name].as<std::string>();
            for (std::size_t i = 0; i < member.names.size(); ++i) {
              if (member.names[i] != v) continue;
              member.set(o, static_cast<unsigned>(i));
              return "";
            }
            return "must be " + registry::join({member.names.begin(), member.names.end()}) + ", not '" + v +
                   "'";
          } else if constexpr (std::is_same_v<T, DurationOption>) {
            const auto& v = vm[d.name].as<std::string>();
            auto seconds = parse_duration_seconds(v);
            if (!seconds || *seconds > UINT_MAX)
              return "must be a duration: seconds, or a number with s, m, h or d (10s, 5m, 1h, 1d); not '" +
                     v + "'";
            o.*(member.seconds) = static_cast<unsigned>(*seconds);
            return "";
          } else {
            const T& v = vm[d.name].as<T>();
            if constexpr (std::is_same_v<T, std::vector<std::string>>) {
              if (!append) (o.*member).clear();
              (o.*member).insert((o.*member).end(), v.begin(), v.end());
            } else {
              o.*member = v;
            }
            return "";
          }
        },
        d.member);
    if (!why.empty()) return Refused{d.name, why};
  }
  return std::nullopt;
}

// The config file's keys, for "did you mean".
std::vector<std::string> file_keys() {
  std::vector<std::string> keys;
  for (const OptionDecl& d : option_decls())
    if (!d.cli_only) keys.emplace_back(d.name);
  return keys;
}

// "--save-intervall" -> "; did you mean '--save-interval'?"; Boost names the
// option in its message ("unrecognised option '--save-intervall'").
std::string option_suggestion(const std::string& message) {
  auto open = message.find("'--");
  if (message.find("unrecognised option") == std::string::npos || open == std::string::npos) return "";
  auto close = message.find('\'', open + 3);
  std::string typed =
      message.substr(open + 3, close == std::string::npos ? std::string::npos : close - open - 3);
  typed = typed.substr(0, typed.find('='));
  std::vector<std::string> names = {"help", "version", "print-default-config"};
  for (const OptionDecl& d : option_decls()) names.emplace_back(d.name);
  auto near = nearest_name(typed, names);
  return near ? "; did you mean '--" + *near + "'?" : "";
}

/// The config file, read one line at a time so every error names its line.
struct FileValues {
  Options options;
  std::map<std::string, int> line_of;  // key -> line it was (last) set on
};

Result<FileValues> read_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error{path + ": cannot read: " + std::strerror(errno)};
  const po::options_description desc = describe(Where::file);
  FileValues fv;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    std::string t(text::trim(line));
    if (t.empty() || t[0] == '#') continue;
    auto where = path + ":" + std::to_string(n) + ": ";
    if (t[0] == '[') return Error{where + "sections are not used; write key = value lines"};
    auto eq = t.find('=');
    if (eq == std::string::npos) return Error{where + "expected 'key = value', got '" + t + "'"};
    std::string key(text::trim(std::string_view(t).substr(0, eq)));
    const OptionDecl* d = find_option(key);
    if (!d || d->cli_only) return Error{where + "unknown key '" + key + "'" + did_you_mean(key, file_keys())};
    bool repeatable = std::holds_alternative<std::vector<std::string> Options::*>(d->member);
    if (!repeatable && fv.line_of.count(key))
      return Error{where + key + ": given twice (first on line " + std::to_string(fv.line_of[key]) + ")"};
    try {
      std::istringstream one(t + "\n");
      po::variables_map vm;
      po::store(po::parse_config_file(one, desc), vm);
      po::notify(vm);
      if (auto refused = apply(vm, fv.options, true)) return Error{where + key + ": " + refused->why};
    } catch (const std::exception& e) {
      return Error{where + key + ": " + e.what()};
    }
    fv.line_of[key] = n;
  }
  return fv;
}

}  // namespace

Result<ParsedCommandLine> parse_command_line(int argc, const char* const* argv) {
  ParsedCommandLine out;
  po::variables_map cli;
  try {
    const po::positional_options_description no_positional;  // stray words are errors
    po::store(
        po::command_line_parser(argc, argv).options(describe(Where::cli)).positional(no_positional).run(),
        cli);
    po::notify(cli);
  } catch (const std::exception& e) {
    return Error{std::string("command line: ") + e.what() + option_suggestion(e.what())};
  }
  out.help = cli.count("help") > 0;
  out.version = cli.count("version") > 0;
  out.print_default_config = cli.count("print-default-config") > 0;
  if (out.help || out.version || out.print_default_config) return out;

  Options cli_options;
  if (auto refused = apply(cli, cli_options, false)) return Error{"--" + refused->key + ": " + refused->why};
  FileValues file;
  if (!cli_options.config.empty()) {
    auto r = read_config(cli_options.config);
    if (!r) return Error{r.error()};
    file = std::move(*r);
  }
  // Command line beats file: start from the file, overwrite what the command line gave.
  Options& o = out.options;
  o = file.options;
  (void)apply(cli, o, false);  // refused above if at all
  o.rib_url_given = cli.count("rib-url") > 0 || file.line_of.count("rib-url") > 0;
  o.cache_dir_given = cli.count("cache-dir") > 0 || file.line_of.count("cache-dir") > 0;
  // NAME=SPEC: the names apart, so every reader of `inputs` sees specs.
  o.input_names.clear();
  for (std::string& text : o.inputs) {
    NamedSpec n = split_input_name(text);
    o.input_names.push_back(std::move(n.name));
    text = std::move(n.spec);
  }

  for (const OptionDecl& d : option_decls()) {
    std::string why = check_value(d, o);
    if (why.empty()) continue;
    if (cli.count(d.name)) return Error{std::string("--") + d.name + ": " + why};
    if (auto it = file.line_of.find(d.name); it != file.line_of.end())
      return Error{o.config + ":" + std::to_string(it->second) + ": " + d.name + ": " + why};
    return Error{std::string(d.name) + ": " + why};
  }
  // Two keys together: a span shorter than one step would hold no step.
  // Named where the span was given, else where the step was.
  if (o.history_span < o.history_step) {
    const std::string why = "history-span must be at least history-step (" + std::to_string(o.history_step) +
                            " s), not " + std::to_string(o.history_span) + " s";
    for (const char* key : {"history-span", "history-step"})
      if (cli.count(key)) return Error{std::string("--") + key + ": " + why};
    for (const char* key : {"history-span", "history-step"})
      if (auto it = file.line_of.find(key); it != file.line_of.end())
        return Error{o.config + ":" + std::to_string(it->second) + ": " + key + ": " + why};
    return Error{why};
  }
  return out;
}

Result<Options> reload_options(const Options& current, int argc, const char* const* argv) {
  // Re-reading everything gives the file's new values with the command line
  // still on top; the caller swaps only if this succeeds.
  auto r = parse_command_line(argc, argv);
  if (!r) return Error{r.error()};
  Options o = r->options;
  o.once = current.once;
  return o;
}

std::vector<std::string> apply_reload(Options& current, const Options& next) {
  std::vector<std::string> restart;
  for (const OptionDecl& d : option_decls()) {
    std::visit(
        [&](auto member) {
          if constexpr (std::is_same_v<typename MemberType<decltype(member)>::type, EnumOption>) {
            if (member.get(current) == member.get(next)) return;
            if (d.reload == Reload::applies)
              member.set(current, member.get(next));
            else
              restart.emplace_back(d.name);
          } else if constexpr (std::is_same_v<typename MemberType<decltype(member)>::type, DurationOption>) {
            if (current.*(member.seconds) == next.*(member.seconds)) return;
            if (d.reload == Reload::applies)
              current.*(member.seconds) = next.*(member.seconds);
            else
              restart.emplace_back(d.name);
          } else {
            if (current.*member == next.*member) return;
            if (d.reload == Reload::applies)
              current.*member = next.*member;
            else
              restart.emplace_back(d.name);
          }
        },
        d.member);
  }
  return restart;
}

std::string usage() {
  std::ostringstream s;
  s << "Usage: asncounterd [OPTION]...\n"
       "Counts hits and bytes per autonomous system and per routed prefix.\n"
       "Every option but --config, --check-config and the informational ones is\n"
       "also a config-file key of the same name (key = value).\n\n"
    << describe(Where::cli) << "\nLine formats (--input-format):\n";
  for (const LineFormatRow& row : line_formats()) {
    std::string name = line_format_usage(row);
    s << "  " << name << std::string(name.size() < 10 ? 10 - name.size() : 1, ' ') << row.help << "\n";
  }
  return s.str();
}

std::string default_config() {
  std::string out =
      "# asncounterd configuration: one \"key = value\" per line, '#' starts a comment.\n"
      "# Every key is also a command-line option (--key value); the command line wins.\n"
      "# Generated by `asncounterd --print-default-config` from the option\n"
      "# declarations; every key below is commented out at its default.\n";
  for (const OptionDecl& d : option_decls()) {
    if (d.cli_only) continue;
    out += "\n# " + help_text(d) + "\n";
    std::string def = default_text(d);
    out += "#" + std::string(d.name) + (def.empty() ? " =\n" : " = " + def + "\n");
  }
  return out;
}

}  // namespace asncounter
