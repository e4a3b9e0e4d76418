// Input names (issue 26): --input NAME=SPEC names an input for --input NAME
// of top, prefixes, asn, series and block-list; unnamed, an input is named
// by its spec; a spec is never cut, and two inputs of one name are refused.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "daemon/config/command_line.hpp"
#include "daemon/input/input_name.hpp"

using asncounter::split_input_name;

TEST_CASE("input names: NAME=SPEC splits, a spec alone is its own name, and a spec is never cut",
          "[options][input]") {
  auto web = split_input_name("web=fifo:/run/asncounter/access.log");
  CHECK(web.name == "web");
  CHECK(web.spec == "fifo:/run/asncounter/access.log");
  auto plain = split_input_name("netflow:127.0.0.1:2055");
  CHECK(plain.name == "netflow:127.0.0.1:2055");
  CHECK(plain.spec == "netflow:127.0.0.1:2055");
  // An '=' after the scheme belongs to the spec.
  auto in_path = split_input_name("file:/var/log/a=b.log");
  CHECK(in_path.name == "file:/var/log/a=b.log");
  CHECK(in_path.spec == "file:/var/log/a=b.log");
  // Before the scheme, but not a name (a slash): the spec stays whole and is
  // then refused as a spec, not read as a name.
  CHECK(split_input_name("/tmp/x=y:z").spec == "/tmp/x=y:z");
  CHECK(asncounter::valid_input_name("edge-1.fifo_A"));
  CHECK_FALSE(asncounter::valid_input_name(""));
  CHECK_FALSE(asncounter::valid_input_name("a b"));
  CHECK_FALSE(asncounter::valid_input_name("a\"b"));
  CHECK_FALSE(asncounter::valid_input_name(std::string(65, 'a')));
}

namespace {
auto parse(std::vector<std::string> args) {
  args.insert(args.begin(), "asncounterd");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  return asncounter::parse_command_line(static_cast<int>(argv.size()), argv.data());
}
}  // namespace

TEST_CASE("input names: the options keep specs and names apart, and refuse two inputs of one name",
          "[options][input]") {
  auto ok = parse({"--input", "web=fifo:/run/a", "--input", "file:/var/log/b"});
  REQUIRE(ok);
  CHECK(ok->options.inputs == std::vector<std::string>{"fifo:/run/a", "file:/var/log/b"});
  CHECK(ok->options.input_names == std::vector<std::string>{"web", "file:/var/log/b"});
  auto twice = parse({"--input", "x=fifo:/run/a", "--input", "x=file:/var/log/b"});
  REQUIRE_FALSE(twice);
  CHECK(twice.error().find("--input: two inputs are named 'x'") != std::string::npos);
  auto bad = parse({"--input", "web=nothing:/x"});
  REQUIRE_FALSE(bad);
  CHECK(bad.error().find("'nothing:/x' is not") != std::string::npos);
}
