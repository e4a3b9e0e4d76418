#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "daemon/config/command_line.hpp"
#include "daemon/config/config_check.hpp"
#include "daemon/config/mitigate_options.hpp"

using asncounter::parse_command_line;

namespace {

auto parse(std::vector<std::string> args) {
  args.insert(args.begin(), "asncounterd");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  return parse_command_line(static_cast<int>(argv.size()), argv.data());
}

}  // namespace

TEST_CASE("mitigate options: the rules' errors name the rule and the column", "[mitigate][options]") {
  auto r = parse({"--mitigate", "asn hits over 60s above 5 ban 1m", "--mitigate",
                  "asn hits over 2d above 5 ban 1m", "--history-span", "1d"});
  REQUIRE_FALSE(r);
  CHECK(
      r.error().find("mitigate rule 2 'asn hits over 2d above 5 ban 1m': column 15: the window 2d is longer "
                     "than history-span (86400s)") != std::string::npos);
  CHECK_FALSE(parse({"--mitigate-mode", "sometimes"}));
  CHECK_FALSE(parse({"--mitigate-allow", "AS64496,not-a-network"}));
  CHECK_FALSE(parse({"--mitigate-hooks", "output"}));
  CHECK_FALSE(parse({"--mitigate-table", "bad name"}));
  CHECK(parse({"--mitigate-hooks", "input,forward", "--mitigate-allow", "AS64496, 192.0.2.0/24",
               "--mitigate-allow", "64497"}));
}

TEST_CASE("mitigate options: with rules and no mode, dry-run, and without rules, off",
          "[mitigate][options]") {
  auto none = parse({});
  REQUIRE(none);
  CHECK(*asncounter::mitigate::effective_mode(none->options) == asncounter::mitigate::Mode::off);
  auto rules = parse({"--mitigate", "asn hits over 60s above 5 ban 1m"});
  REQUIRE(rules);
  CHECK(*asncounter::mitigate::effective_mode(rules->options) == asncounter::mitigate::Mode::dry_run);
}

TEST_CASE("mitigate options: rules with a spoofable flow input are refused, naming the input",
          "[mitigate][options][trust]") {
  const std::vector<std::string> rule = {"--mitigate", "asn hits over 60s above 5 ban 1m"};
  auto with = [&](std::vector<std::string> more) {
    more.insert(more.end(), rule.begin(), rule.end());
    return parse(more);
  };
  const std::vector<std::string> anyone = {"--flow-exporters", "192.0.2.1, 0.0.0.0/0"};
  auto sflow = with({"--input", "fifo:/tmp/x", "--input", "sflow:127.0.0.1:6343", anyone[0], anyone[1]});
  REQUIRE_FALSE(sflow);
  CHECK(
      sflow.error().find("input sflow:127.0.0.1:6343 accepts flows from any address (flow-exporters holds a "
                         "/0)") != std::string::npos);
  auto enforce =
      with({"--input", "netflow:[::]:2055", "--mitigate-mode", "enforce", "--flow-exporters", "::/0"});
  REQUIRE_FALSE(enforce);
  CHECK(enforce.error().find("input netflow:[::]:2055") != std::string::npos);
  // Named exporters make the flows trusted, and so does the default (this
  // host only); logs and captures always are; mode off acts on nothing.
  CHECK(with({"--input", "sflow:127.0.0.1:6343", "--flow-exporters", "192.0.2.1"}));
  CHECK(with({"--input", "sflow:127.0.0.1:6343"}));
  CHECK(with({"--input", "fifo:/tmp/x", "--input", "pcap:lo"}));
  CHECK(with({"--input", "sflow:127.0.0.1:6343", "--mitigate-mode", "off", anyone[0], anyone[1]}));
  CHECK(parse({"--input", "sflow:127.0.0.1:6343"}));  // no rules: nothing to forge
}
