#include <sys/socket.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/config/config_check.hpp"
#include "tests/support/held_port.hpp"
#include "tests/support/test_support.hpp"

using asncounter::Options;
using asncounter::test::TempDir;

namespace {

// Options that pass: everything under `dir`, no table, no inputs.
Options good(const TempDir& dir) {
  Options o;
  o.socket = (dir / "run/control.sock").string();
  o.state_dir = (dir / "state").string();
  o.cache_dir = (dir / "cache").string();
  return o;
}

// The problems of `o` as "key: why" lines.
std::string problems(const Options& o) {
  std::string out;
  for (const auto& p : asncounter::check_startup(o)) out += p.key + ": " + p.why + "\n";
  return out;
}

std::string write(const TempDir& dir, const std::string& name, const std::string& text) {
  std::ofstream(dir / name, std::ios::binary) << text;
  return (dir / name).string();
}

}  // namespace

TEST_CASE("check-config: a good configuration passes", "[config_check]") {
  TempDir dir;
  Options o = good(dir);
  o.db = write(dir, "t.dat", "192.0.2.0/24\t64496\n");
  o.asnames = write(dir, "n.json", R"({"64496": "DOC-A, ZZ"})");
  o.inputs = {"fifo:" + (dir / "in.fifo").string()};
  o.filter = "tcp port 80";
  o.metrics_listen = "127.0.0.1:0";
  CHECK(problems(o).empty());
  std::ostringstream out, err;
  CHECK(asncounter::run_config_check(o, out, err) == 0);
  CHECK(out.str() == "command line: OK\n");
}

TEST_CASE("check-config: what the daemon would refuse at start, one line each", "[config_check]") {
  TempDir dir;
  struct Case {
    std::string what, expect;
    void (*set)(Options&, const TempDir&);
  };
  const Case cases[] = {
      {"missing db", "db: ", [](Options& o, const TempDir&) { o.db = "/nonexistent/table.dat"; }},
      {"not a table", "db: /etc/passwd: not a table",
       [](Options& o, const TempDir&) { o.db = "/etc/passwd"; }},
      {"empty table", "db: ", [](Options& o, const TempDir& d) { o.db = write(d, "empty.dat", ""); }},
      {"missing names",
       "asnames: ", [](Options& o, const TempDir&) { o.asnames = "/nonexistent/asnames.json"; }},
      {"bad filter", "filter: ", [](Options& o, const TempDir&) { o.filter = "tcp port"; }},
      {"unknown socket group", "socket-group: unknown group 'nosuchgroup'",
       [](Options& o, const TempDir&) { o.socket_group = "nosuchgroup"; }},
      {"unknown admin group", "admin-group: unknown group 'nosuchgroup'",
       [](Options& o, const TempDir&) { o.admin_group = "nosuchgroup"; }},
      {"fifo in a missing directory",
       "input: fifo:/nonexistent/dir/in.fifo: directory /nonexistent/dir does not exist",
       [](Options& o, const TempDir&) { o.inputs = {"fifo:/nonexistent/dir/in.fifo"}; }},
      {"file in a missing directory", "input: file:/nonexistent/dir/log",
       [](Options& o, const TempDir&) { o.inputs = {"file:/nonexistent/dir/log"}; }},
      {"state dir is a file", "state-dir: state directory ",
       [](Options& o, const TempDir& d) { o.state_dir = write(d, "a-file", "x"); }},
  };
  for (const Case& c : cases) {
    Options o = good(dir);
    c.set(o, dir);
    INFO(c.what);
    std::string p = problems(o);
    CHECK_THAT(p, Catch::StartsWith(c.expect));
    CHECK(std::count(p.begin(), p.end(), '\n') == 1);
    std::ostringstream out, err;
    CHECK(asncounter::run_config_check(o, out, err) == 2);
    CHECK_THAT(err.str(), Catch::StartsWith("asncounterd: " + c.expect));
  }
}

TEST_CASE("check-config: a flow input's UDP port in use is refused", "[config_check]") {
  auto held = asncounter::test::hold_loopback_port(SOCK_DGRAM);
  REQUIRE(held.fd);
  TempDir dir;
  Options o = good(dir);
  o.inputs = {"sflow:127.0.0.1:" + std::to_string(held.port)};
  CHECK_THAT(problems(o), Catch::StartsWith("input: " + o.inputs[0] + ": "));
  held.fd.reset();
  CHECK(problems(o).empty());
}

TEST_CASE("check-config: says who may send to a flow input", "[config_check][adversarial]") {
  TempDir dir;
  Options o = good(dir);
  o.inputs = {"netflow:127.0.0.1:0"};
  std::ostringstream out, err;
  CHECK(asncounter::run_config_check(o, out, err) == 0);
  CHECK_THAT(out.str(), Catch::Contains("input netflow:127.0.0.1:0: flow-exporters is empty: flows are taken "
                                        "from this host only (127.0.0.0/8, ::1)"));
  o.flow_exporters = "192.0.2.0/24";
  std::ostringstream named, err2;
  CHECK(asncounter::run_config_check(o, named, err2) == 0);
  CHECK_THAT(named.str(), Catch::Contains("flows are taken from 192.0.2.0/24 only"));
}

TEST_CASE("check-config: a metrics-listen port in use is refused", "[config_check]") {
  auto held = asncounter::test::hold_loopback_port(SOCK_STREAM);
  REQUIRE(held.fd);
  TempDir dir;
  Options o = good(dir);
  o.metrics_listen = "127.0.0.1:" + std::to_string(held.port);
  CHECK_THAT(problems(o), Catch::StartsWith("metrics-listen: cannot listen on " + o.metrics_listen));
  held.fd.reset();
  CHECK(problems(o).empty());
}

TEST_CASE("check-config: a truncated dump is told from a whole one without loading it", "[config_check]") {
  auto cut = asncounter::test::shared_data("rib.20140523.0600_firstMB.bz2");
  auto whole = asncounter::test::shared_data("rib.20140523.0600_firstMB_whole.mrt.bz2");
  if (!cut || !whole)
    ASNCOUNTER_SKIP(asncounter::test::missing_data_message("rib.20140523.0600_firstMB.bz2"));
  TempDir dir;
  Options o = good(dir);
  o.db = whole->string();
  CHECK(problems(o).empty());
  o.db = cut->string();
  CHECK_THAT(problems(o), Catch::StartsWith("db: " + o.db + ": truncated"));

  // A plain MRT dump cut inside a record: its record headers tell.
  REQUIRE(std::system(("bzip2 -dc " + whole->string() + " > " + (dir / "whole.mrt").string()).c_str()) == 0);
  REQUIRE(std::system(("head -c 300000 " + (dir / "whole.mrt").string() + " > " + (dir / "cut.mrt").string() +
                       " && gzip -c " + (dir / "cut.mrt").string() + " > " + (dir / "cut.mrt.gz").string())
                          .c_str()) == 0);
  o.db = (dir / "whole.mrt").string();
  CHECK(problems(o).empty());
  o.db = (dir / "cut.mrt").string();
  CHECK_THAT(problems(o), Catch::StartsWith("db: " + o.db + ": truncated or damaged: cut inside MRT record"));
  o.db = (dir / "cut.mrt.gz").string();
  CHECK_THAT(problems(o), Catch::StartsWith("db: " + o.db));
}

TEST_CASE("check-config: --check-tables also builds the table as a start would", "[config_check]") {
  TempDir dir;
  Options o = good(dir);
  o.db = write(dir, "two.dat", "192.0.2.0/24\t64496\n198.51.100.0/24\t64497\n");
  o.table_max_prefixes = 1;
  CHECK(problems(o).empty());  // opened and identified only
  o.check_tables = true;
  CHECK_THAT(problems(o), Catch::StartsWith("db: "));
}

TEST_CASE("check-config: AS names are identified, a cut JSON file is refused", "[config_check]") {
  TempDir dir;
  Options o = good(dir);
  o.asnames = write(dir, "cut.json", R"({"64496": "DOC-A, ZZ", "64497": "DO)");
  CHECK_THAT(problems(o), Catch::StartsWith("asnames: " + o.asnames + ": truncated"));
  o.asnames = write(dir, "garbage.txt", "hello\n");
  CHECK_THAT(problems(o), Catch::StartsWith("asnames: " + o.asnames));
  o.asnames = write(dir, "bad.json", R"({"64496": [}")");
  o.check_tables = true;  // the whole file parsed
  CHECK_THAT(problems(o), Catch::StartsWith("asnames: "));
}
