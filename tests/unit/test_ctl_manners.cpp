#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "common/plural.hpp"
#include "common/suggest.hpp"
#include "ctl/commands.hpp"

namespace {

struct Run {
  int status;
  std::string out, err;
};

Run ctl(std::vector<std::string> args) {
  std::istringstream in;
  std::ostringstream out, err;
  int status = asncounter::ctl::run(args, in, out, err);
  return {status, out.str(), err.str()};
}

constexpr int kUsage = 2;
constexpr int kUnreachable = 3;

}  // namespace

TEST_CASE("asncounterctl: -h, --help and --version", "[ctl][manners]") {
  for (const char* flag : {"-h", "--help"}) {
    auto r = ctl({flag});
    CHECK(r.status == 0);
    CHECK_THAT(r.out, Catch::StartsWith("usage: asncounterctl"));
    CHECK(r.err.empty());
  }
  auto v = ctl({"--version"});
  CHECK(v.status == 0);
  CHECK_THAT(v.out, Catch::StartsWith("asncounterctl ") && Catch::Contains("(protocol "));
}

TEST_CASE("asncounterctl: a usage error is one line and a hint, not the whole usage", "[ctl][manners]") {
  auto r = ctl({"--socket", "/nonexistent/s", "top", "--limit", "x"});
  CHECK(r.status == kUsage);
  CHECK_THAT(r.err, Catch::StartsWith("asncounterctl: --limit takes"));
  CHECK_THAT(r.err, Catch::EndsWith("\n(see asncounterctl --help)\n"));
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 2);
  CHECK_THAT(ctl({}).err, Catch::Contains("no command given") && !Catch::Contains("commands answered"));
}

TEST_CASE("asncounterctl: did you mean, for an unknown command", "[ctl][manners]") {
  auto r = ctl({"stat"});
  CHECK(r.status == kUsage);
  CHECK_THAT(r.err, Catch::Contains("unknown command stat; did you mean 'stats'?"));
  CHECK_THAT(ctl({"as-prefix", "1"}).err, Catch::Contains("did you mean 'as-prefixes'?"));
  CHECK_THAT(ctl({"frobnicate"}).err, !Catch::Contains("did you mean"));
  CHECK_THAT(ctl({"top", "--limt", "3"}).err,
             Catch::Contains("unknown or incomplete option --limt; did you mean '--limit'?"));
}

TEST_CASE("asncounterctl: ASNCOUNTER_SOCKET names the socket, --socket wins", "[ctl][manners]") {
  ::setenv("ASNCOUNTER_SOCKET", "/nonexistent/from-env.sock", 1);
  auto env = ctl({"stats"});
  auto flag = ctl({"--socket", "/nonexistent/from-flag.sock", "stats"});
  ::unsetenv("ASNCOUNTER_SOCKET");
  CHECK(env.status == kUnreachable);
  CHECK_THAT(env.err, Catch::Contains("/nonexistent/from-env.sock"));
  CHECK(flag.status == kUnreachable);
  CHECK_THAT(flag.err, Catch::Contains("/nonexistent/from-flag.sock"));
}

TEST_CASE("asncounterctl: an ASN may carry its AS prefix wherever one is taken", "[ctl][manners]") {
  auto status = [](std::vector<std::string> args) {
    args.insert(args.begin(), {"--socket", "/nonexistent/asncounter.sock"});
    return ctl(args).status;
  };
  CHECK(status({"as-prefixes", "AS4134"}) == kUnreachable);
  CHECK(status({"asn", "as4134"}) == kUnreachable);
  CHECK(status({"prefixes", "--asn", "As4134"}) == kUnreachable);
  CHECK(status({"prefixes", "--asn=AS4134"}) == kUnreachable);
  CHECK(status({"prefixes", "--asn", "AS"}) == kUsage);
  CHECK(status({"prefixes", "--asn", "ASN4134"}) == kUsage);
  CHECK(status({"as-prefixes", "AS4294967296"}) == kUsage);
  CHECK(asncounter::ctl::parse_asn("AS4134") == 4134U);
  CHECK(asncounter::ctl::parse_asn("as0") == 0U);
  CHECK_FALSE(asncounter::ctl::parse_asn("4134AS"));
}

TEST_CASE("did you mean: typos and prefixes, nothing for strangers", "[manners]") {
  std::vector<std::string> names = {"save-interval", "socket-group", "stats", "top"};
  CHECK(asncounter::nearest_name("save-intervall", names) == "save-interval");
  CHECK(asncounter::nearest_name("socket_group", names) == "socket-group");
  CHECK(asncounter::nearest_name("stat", names) == "stats");
  CHECK(asncounter::nearest_name("tpo", names) == "top");
  CHECK_FALSE(asncounter::nearest_name("bogus", names));
  CHECK(asncounter::did_you_mean("bogus", names).empty());
}

TEST_CASE("counts agree with their noun", "[manners]") {
  CHECK(asncounter::count_of(1, "input") == "1 input");
  CHECK(asncounter::count_of(0, "input") == "0 inputs");
  CHECK(asncounter::count_of(2, "prefix", "prefixes") == "2 prefixes");
}
