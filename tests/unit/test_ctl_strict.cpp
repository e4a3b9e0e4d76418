// Strict arguments (issue 26): every unknown option and stray word is a
// usage error with a hint, and every command has its own --help.
#include <unistd.h>

#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "ctl/commands.hpp"

namespace {

struct Run {
  int status;
  std::string out, err;
};

Run ctl(std::vector<std::string> args) {
  args.insert(args.begin(), {"--socket", "/nonexistent/asncounter.sock"});
  std::istringstream in;
  std::ostringstream out, err;
  int status = asncounter::ctl::run(args, in, out, err);
  return {status, out.str(), err.str()};
}

constexpr int kUsage = 2;

}  // namespace

TEST_CASE("asncounterctl: stray words and unknown options are usage errors with a hint", "[ctl][strict]") {
  auto top5 = ctl({"top", "5"});
  CHECK(top5.status == kUsage);
  CHECK_THAT(top5.err,
             Catch::Contains("top takes no arguments") && Catch::Contains("did you mean 'top --limit 5'?"));

  auto n = ctl({"top", "-n", "5"});
  CHECK(n.status == kUsage);
  CHECK_THAT(n.err, Catch::Contains("unknown option -n; did you mean '--limit'?"));

  auto x = ctl({"top", "-x"});
  CHECK(x.status == kUsage);
  CHECK_THAT(x.err, Catch::Contains("unknown option -x"));

  auto extra = ctl({"stats", "extra"});
  CHECK(extra.status == kUsage);
  CHECK_THAT(extra.err, Catch::Contains("stats takes no arguments, not 'extra'"));

  CHECK(ctl({"prefixes", "64496"}).status == kUsage);
  CHECK(ctl({"version", "now"}).status == kUsage);
  CHECK(ctl({"asn", "64496", "64497"}).status == kUsage);
  CHECK(ctl({"as-prefixes", "64496", "-q"}).status == kUsage);
  CHECK(ctl({"block-list", "--format", "cidr", "extra"}).status == kUsage);
  // Still fine: the daemon is merely unreachable.
  CHECK(ctl({"top", "--limit", "5"}).status == 3);
  CHECK(ctl({"top", "--watch", "5", "--limit", "3"}).status == 3);
}

TEST_CASE("asncounterctl: every command has its own --help, and -h lists top --watch", "[ctl][strict]") {
  auto global = ctl({"-h"});
  CHECK(global.status == 0);
  CHECK_THAT(global.out, Catch::Contains("top --watch [SECONDS]"));

  for (const char* command :
       {"top", "stats", "prefixes", "asn", "reset", "block-list", "lookup", "convert"}) {
    INFO(command);
    auto r = ctl({command, "--help"});
    CHECK(r.status == 0);
    CHECK_THAT(r.out,
               Catch::StartsWith("usage: asncounterctl") && Catch::Contains(std::string("  ") + command));
    CHECK_THAT(r.out, !Catch::Contains("commands answered by asncounterd"));
  }
  CHECK_THAT(ctl({"top", "--help"}).out, Catch::Contains("--watch") && !Catch::Contains("as-prefixes"));
  CHECK_THAT(ctl({"lookup", "-h"}).out, Catch::Contains("--db FILE"));
  // An unknown command's --help is the whole usage.
  CHECK_THAT(ctl({"frobnicate", "--help"}).out, Catch::Contains("commands answered by asncounterd"));
}

TEST_CASE("asncounterctl: reset asks on a terminal and needs --yes without one", "[ctl][strict][trust]") {
  if (::isatty(STDIN_FILENO)) return;  // the question would be asked of the terminal running the tests
  auto refused = ctl({"reset"});
  CHECK(refused.status == kUsage);
  CHECK_THAT(refused.err, Catch::Contains("there is no terminal to ask: add --yes"));
  CHECK(ctl({"reset", "--yes"}).status == 3);  // asked of the (unreachable) daemon
  CHECK(ctl({"reset", "--yes", "now"}).status == kUsage);
  CHECK(ctl({"stats", "--yes"}).status == kUsage);
  CHECK_THAT(ctl({"reset", "--help"}).out, Catch::Contains("--yes"));
}
