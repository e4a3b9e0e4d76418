#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/config/command_line.hpp"
#include "daemon/config/options_table.hpp"
#include "daemon/rpc/peer_credentials.hpp"
#include "tests/support/test_support.hpp"

using asncounter::Options;
using asncounter::parse_command_line;
using asncounter::test::TempDir;

namespace {

auto parse(std::vector<std::string> args) {
  args.insert(args.begin(), "asncounterd");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  return parse_command_line(static_cast<int>(argv.size()), argv.data());
}

std::string write(const TempDir& dir, const std::string& name, const std::string& text) {
  std::ofstream(dir / name) << text;
  return (dir / name).string();
}

}  // namespace

TEST_CASE("options: defaults, and every DESIGN.md option on the command line", "[options]") {
  auto none = parse({});
  REQUIRE(none.ok());
  const Options d;
  CHECK(none->options.socket == d.socket);
  CHECK(none->options.top == 20);
  CHECK(none->options.inputs.empty());
  CHECK_FALSE(none->options.rib_url_given);

  auto r = parse({"--db",
                  "t.dat",
                  "--asnames",
                  "n.json",
                  "--input",
                  "-",
                  "--input",
                  "fifo:/run/x",
                  "--input-format",
                  "field:1,bytes:10",
                  "--filter",
                  "udp",
                  "--socket",
                  "/tmp/s",
                  "--metrics-listen",
                  "127.0.0.1:9100",
                  "--state-dir",
                  "/s",
                  "--cache-dir",
                  "/c",
                  "--rib-url",
                  "http://example.invalid/rv",
                  "--refresh-interval",
                  "60",
                  "--asnames-url",
                  "http://x/names",
                  "--once",
                  "--top",
                  "0",
                  "--check-config",
                  "--direction",
                  "inout",
                  "--shards",
                  "8"});
  REQUIRE(r.ok());
  const Options& o = r->options;
  CHECK(o.db == "t.dat");
  CHECK(o.asnames == "n.json");
  CHECK(o.inputs == std::vector<std::string>{"-", "fifo:/run/x"});
  CHECK(o.input_format == "field:1,bytes:10");
  CHECK(o.filter == "udp");
  CHECK(o.socket == "/tmp/s");
  CHECK(o.metrics_listen == "127.0.0.1:9100");
  CHECK(o.state_dir == "/s");
  CHECK(o.cache_dir == "/c");
  CHECK(o.rib_url == "http://example.invalid/rv");
  CHECK(o.rib_url_given);
  CHECK(o.refresh_interval == 60);
  CHECK(o.asnames_url == "http://x/names");
  CHECK(o.once);
  CHECK(o.top == 0);
  CHECK(o.check_config);
  CHECK(o.direction == asncounter::PcapDirection::inout);
  CHECK(o.shards == 8);
}

TEST_CASE("options: --help, --version and errors on the command line", "[options]") {
  CHECK(parse({"--help"})->help);
  CHECK(parse({"--version"})->version);
  CHECK(parse({"--print-default-config"})->print_default_config);
  auto unknown = parse({"--frobnicate"});
  REQUIRE_FALSE(unknown.ok());
  CHECK_THAT(unknown.error(), Catch::Contains("frobnicate"));
  auto bad_number = parse({"--top", "many"});
  REQUIRE_FALSE(bad_number.ok());
  CHECK_THAT(bad_number.error(), Catch::Contains("top"));
  auto bad_dir = parse({"--direction", "sideways"});
  REQUIRE_FALSE(bad_dir.ok());
  CHECK_THAT(bad_dir.error(), Catch::StartsWith("--direction: ") && Catch::Contains("sideways"));
  auto bad_input = parse({"--input", "tcp:1.2.3.4"});
  REQUIRE_FALSE(bad_input.ok());
  CHECK_THAT(bad_input.error(), Catch::StartsWith("--input: "));
  auto bad_format = parse({"--input-format", "xml"});
  REQUIRE_FALSE(bad_format.ok());
  CHECK_THAT(bad_format.error(), Catch::StartsWith("--input-format: "));
  CHECK_FALSE(parse({"stray-argument"}).ok());
}

TEST_CASE("options: config file keys, repeated inputs, command line wins", "[options]") {
  TempDir dir;
  std::string conf = write(dir, "a.conf",
                           "# a comment\n"
                           "\n"
                           "db = /var/lib/t.dat.gz\n"
                           "input = fifo:/run/a\n"
                           "  input=file:/var/log/b.log   # trailing comment\n"
                           "top = 5\n"
                           "once = true\n"
                           "rib-url = http://example.invalid/rv\n"
                           "log-level = debug\n");
  auto file_only = parse({"--config", conf});
  REQUIRE(file_only.ok());
  const Options& f = file_only->options;
  CHECK(f.config == conf);
  CHECK(f.db == "/var/lib/t.dat.gz");
  CHECK(f.inputs == std::vector<std::string>{"fifo:/run/a", "file:/var/log/b.log"});
  CHECK(f.top == 5);
  CHECK(f.once);
  CHECK(f.rib_url_given);
  CHECK(f.log_level == asncounter::LogLevel::debug);

  auto both = parse({"--config", conf, "--top", "7", "--input", "-", "--db", "/other"});
  REQUIRE(both.ok());
  CHECK(both->options.top == 7);
  CHECK(both->options.inputs == std::vector<std::string>{"-"});
  CHECK(both->options.db == "/other");
  CHECK(both->options.log_level == asncounter::LogLevel::debug);  // from the file, not overridden
}

TEST_CASE("options: config errors name the file, the line and the key", "[options]") {
  TempDir dir;
  struct Case {
    std::string text, expect;
  };
  for (const Case& c : {
           Case{"db = x\n\nbogus = 1\n", ":3: unknown key 'bogus'"},
           Case{"# c\ntop = lots\n", ":2: top: "},
           Case{"db = a\ntop = 1\ndirection = sideways\n", ":3: direction: must be in, out or inout"},
           Case{"top = 1\ntop = 2\n", ":2: top: given twice (first on line 1)"},
           Case{"[section]\n", ":1: sections are not used"},
           Case{"db\n", ":1: expected 'key = value'"},
           Case{"check-config = true\n", ":1: unknown key 'check-config'"},
           Case{"\n\n\n\ninput = nonsense\n", ":5: input: 'nonsense' is not"},
           Case{"shards = 0\n", ":1: shards: must be between 1 and 256"},
       }) {
    std::string conf = write(dir, "bad.conf", c.text);
    auto r = parse({"--config", conf});
    INFO(c.text);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error(), Catch::StartsWith(conf + c.expect));
  }
  auto missing = parse({"--config", (dir / "absent.conf").string()});
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.error(), Catch::Contains("absent.conf") && Catch::Contains("cannot read"));
  // A bad file value the command line overrides is never looked at.
  std::string conf = write(dir, "over.conf", "direction = in\n");
  CHECK(parse({"--config", conf, "--direction", "out"})->options.direction == asncounter::PcapDirection::out);
}

TEST_CASE("options: --help and the default config come from the declarations", "[options]") {
  std::string help = asncounter::usage();
  std::string conf = asncounter::default_config();
  for (const char* key :
       {"db", "asnames", "input", "input-format", "filter", "socket", "metrics-listen", "state-dir",
        "cache-dir", "rib-url", "refresh-interval", "asnames-url", "once", "top"}) {
    INFO(key);
    CHECK_THAT(help, Catch::Contains(std::string("--") + key));
    CHECK_THAT(conf, Catch::Contains(std::string("\n#") + key + " ="));
  }
  CHECK_THAT(help, Catch::Contains("--config") && Catch::Contains("--check-config"));
  CHECK_THAT(conf, !Catch::Contains("#config =") && !Catch::Contains("#check-config"));

  // Uncommenting every key that has a default gives a valid file equal to the defaults.
  TempDir dir;
  std::istringstream in(conf);
  std::string line, active;
  while (std::getline(in, line)) {
    bool key_line = line.size() > 1 && line[0] == '#' && line[1] != ' ' && line.back() != '=';
    active += (key_line ? line.substr(1) : line) + "\n";
  }
  auto r = parse({"--config", write(dir, "defaults.conf", active)});
  REQUIRE(r.ok());
  Options expect;
  expect.config = (dir / "defaults.conf").string();
  expect.rib_url_given = true;  // the file names rib-url
  const Options& o = r->options;
  CHECK(o.socket == expect.socket);
  CHECK(o.state_dir == expect.state_dir);
  CHECK(o.rib_url == expect.rib_url);
  CHECK(o.refresh_interval == expect.refresh_interval);
  CHECK(o.top == expect.top);
  CHECK(o.shards == expect.shards);
  CHECK(o.once == expect.once);
  CHECK(o.input_format == expect.input_format);
  CHECK(o.rib_url_given);
}

TEST_CASE("options: etc/asncounterd.conf is the generated default config", "[options]") {
  std::ifstream f(std::string(ASNCOUNTER_SOURCE_DIR) + "/etc/asncounterd.conf");
  REQUIRE(f);
  std::stringstream s;
  s << f.rdbuf();
  // On a mismatch regenerate it: asncounterd --print-default-config > etc/asncounterd.conf
  CHECK(s.str() == asncounter::default_config());
}

TEST_CASE("options: a reload applies what the declarations allow and names the rest", "[options]") {
  Options current;
  Options next = current;
  next.log_level = asncounter::LogLevel::debug;
  next.max_clients = 7;
  next.asnames = "/new/asnames.json";
  next.shards = 16;
  next.direction = asncounter::PcapDirection::out;
  next.inputs = {"file:/x"};
  next.top = 3;
  next.metrics_top_asns = 5;
  auto restart = asncounter::apply_reload(current, next);
  CHECK(current.metrics_top_asns == 5);
  CHECK(current.top == 3);
  CHECK(current.log_level == asncounter::LogLevel::debug);
  CHECK(current.max_clients == 7);
  CHECK(current.asnames == "/new/asnames.json");
  CHECK(current.shards == Options{}.shards);
  CHECK(current.direction == asncounter::PcapDirection::in);
  CHECK(current.inputs.empty());
  std::sort(restart.begin(), restart.end());
  CHECK(restart == std::vector<std::string>{"direction", "input", "shards"});
  CHECK(asncounter::apply_reload(current, current).empty());
}

TEST_CASE("options: enum names and ranges come from the declarations", "[options]") {
  CHECK(parse({"--log-level", "warn"})->options.log_level == asncounter::LogLevel::warn);
  auto bad_level = parse({"--log-level", "loud"});
  REQUIRE_FALSE(bad_level.ok());
  CHECK_THAT(bad_level.error(), Catch::StartsWith("--log-level: must be trace, debug") &&
                                    Catch::Contains("critical or off, not 'loud'"));
  // Whitespace folded: where boost wraps depends on the longest option name.
  std::string usage;
  for (char c : asncounter::usage())
    if (!std::isspace(static_cast<unsigned char>(c)) || (!usage.empty() && usage.back() != ' '))
      usage += std::isspace(static_cast<unsigned char>(c)) ? ' ' : c;
  CHECK_THAT(usage, Catch::Contains("in, out or inout"));
  CHECK_THAT(asncounter::default_config(),
             Catch::Contains("#direction = in\n") && Catch::Contains("#log-level = info\n"));
  auto zero = parse({"--save-interval", "0"});
  REQUIRE_FALSE(zero.ok());
  CHECK(zero.error() == "--save-interval: must be greater than 0");
  CHECK(parse({"--shards", "256"}).ok());
  CHECK(parse({"--shards", "257"}).error() == "--shards: must be between 1 and 256");
}

TEST_CASE("options: metrics-listen takes exactly one address, metrics-top-asns 0 is refused",
          "[options][metrics][adversarial]") {
  for (const char* good : {"127.0.0.1:9100", "0.0.0.0:9100", "[::1]:9100", "[::]:0"}) {
    INFO(good);
    CHECK(parse({"--metrics-listen", good}).ok());
  }
  // A comma list made civetweb bind 0.0.0.0 besides: refused, as are a bare
  // port, a host name, a bad port and an unbracketed IPv6 address.
  for (const char* bad :
       {"127.0.0.1:9100,9101", "127.0.0.1:9100,0.0.0.0:9101", "9100", ":9100", "localhost:9100",
        "127.0.0.1:65536", "127.0.0.1:91s", "::1:9100", "[::1]", "[zz]:9100", "127.0.0.1:"}) {
    INFO(bad);
    auto r = parse({"--metrics-listen", bad});
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error(), Catch::Contains("metrics-listen"));
  }
  // 0 meant every ASN: an unbounded number of series.
  auto zero = parse({"--metrics-top-asns", "0"});
  REQUIRE_FALSE(zero.ok());
  CHECK_THAT(zero.error(), Catch::Contains("metrics-top-asns"));
  CHECK(parse({"--metrics-top-asns", "1"}).ok());
}

TEST_CASE("options: the table limits have their defaults and reach TableLimits", "[options][adversarial]") {
  auto none = parse({});
  REQUIRE(none.ok());
  CHECK(none->options.table_max_mib == 8192);
  CHECK(none->options.table_max_prefixes == 4000000);
  CHECK(none->options.rib_min_prefixes == 100000);
  auto set = parse({"--table-max-mib", "16", "--table-max-prefixes", "1000", "--rib-min-prefixes", "0"});
  REQUIRE(set.ok());
  auto limits = asncounter::table_limits(set->options);
  CHECK(limits.max_bytes == 16u << 20);
  CHECK(limits.max_prefixes == 1000);
  CHECK_FALSE(parse({"--table-max-mib", "0"}).ok());
}

TEST_CASE("options: history-span shorter than history-step is refused, naming both", "[options][window]") {
  auto cli = parse({"--history-step", "60", "--history-span", "30"});
  REQUIRE_FALSE(cli.ok());
  CHECK(cli.error() == "--history-span: history-span must be at least history-step (60 s), not 30 s");
  auto step_only = parse({"--history-step", "700000"});  // the span's default is 604800
  REQUIRE_FALSE(step_only.ok());
  CHECK_THAT(step_only.error(), Catch::StartsWith("--history-step: history-span must be at least"));
  TempDir dir;
  std::string conf = write(dir, "span.conf", "history-step = 20\n\nhistory-span = 10\n");
  auto file = parse({"--config", conf});
  REQUIRE_FALSE(file.ok());
  CHECK_THAT(file.error(), Catch::StartsWith(conf + ":3: history-span: history-span must be at least"));
  CHECK(parse({"--history-step", "30", "--history-span", "30"}).ok());
}

TEST_CASE("options: a reload applies every key or names it", "[options][reload]") {
  // Each key changed alone: either the current options take it, or the
  // reload names it (by its config name) and the old value stays.
  for (const auto& d : asncounter::option_decls()) {
    if (d.cli_only) continue;
    INFO(d.name);
    Options next;
    std::visit(
        [&](auto member) {
          using M = decltype(member);
          if constexpr (std::is_same_v<M, asncounter::EnumOption>) {
            member.set(next, (member.get(next) + 1) % static_cast<unsigned>(member.names.size()));
          } else if constexpr (std::is_same_v<M, asncounter::DurationOption>) {
            next.*(member.seconds) += 1;
          } else if constexpr (std::is_same_v<M, bool Options::*>) {
            next.*member = !(next.*member);
          } else if constexpr (std::is_same_v<M, unsigned Options::*>) {
            next.*member += 1;
          } else if constexpr (std::is_same_v<M, std::string Options::*>) {
            next.*member += "x";
          } else {
            (next.*member).push_back("x");
          }
        },
        d.member);
    Options current;
    auto restart = asncounter::apply_reload(current, next);
    const bool applied = asncounter::apply_reload(current, next).empty() && restart.empty();
    if (d.reload == asncounter::Reload::applies) {
      CHECK(applied);
    } else {
      CHECK(restart == std::vector<std::string>{d.name});
    }
  }
  // What the issue named: the top K of the metrics applies, the format waits.
  CHECK(asncounter::find_option("metrics-top-asns")->reload == asncounter::Reload::applies);
  CHECK(asncounter::find_option("input-format")->reload == asncounter::Reload::restart);
}

TEST_CASE("options: durations take units in the file and on the command line", "[options][duration]") {
  TempDir dir;
  std::string conf = write(dir, "d.conf",
                           "save-interval = 10s\nrefresh-interval = 1h\nhistory-span = 1d\n"
                           "metrics-window = 5m\nclient-timeout = 30\n");
  auto r = parse({"--config", conf, "--history-step", "2m"});
  REQUIRE(r.ok());
  CHECK(r->options.save_interval == 10);
  CHECK(r->options.refresh_interval == 3600);
  CHECK(r->options.history_span == 86400);
  CHECK(r->options.metrics_window == 300);
  CHECK(r->options.client_timeout == 30);
  CHECK(r->options.history_step == 120);
  auto bad = parse({"--config", write(dir, "bad.conf", "\nsave-interval = 10x\n")});
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.error(),
             Catch::Contains(":2: save-interval: must be a duration") && Catch::Contains("'10x'"));
  CHECK(parse({"--save-interval", "0s"}).error() == "--save-interval: must be greater than 0");
  CHECK_THAT(asncounter::default_config(), Catch::Contains("#save-interval = 60\n"));
}

TEST_CASE("options: did you mean, for an unknown key or option", "[options][manners]") {
  TempDir dir;
  auto r = parse({"--config", write(dir, "typo.conf", "save-intervall = 10\n")});
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.error(), Catch::EndsWith(":1: unknown key 'save-intervall'; did you mean 'save-interval'?"));
  auto under = parse({"--config", write(dir, "under.conf", "socket_group = adm\n")});
  REQUIRE_FALSE(under.ok());
  CHECK_THAT(under.error(), Catch::EndsWith("did you mean 'socket-group'?"));
  auto cli = parse({"--metrics-listn", "127.0.0.1:1"});
  REQUIRE_FALSE(cli.ok());
  CHECK_THAT(cli.error(), Catch::EndsWith("did you mean '--metrics-listen'?"));
  CHECK_THAT(parse({"--frobnicate"}).error(), !Catch::Contains("did you mean"));
}

TEST_CASE("options: errors name the key as the config file spells it", "[options][manners]") {
  auto policy = asncounter::rpc::AdminPolicy::make("nosuchgroup-asncounter");
  REQUIRE_FALSE(policy.ok());
  CHECK_THAT(policy.error(), Catch::StartsWith("admin-group: "));
}
