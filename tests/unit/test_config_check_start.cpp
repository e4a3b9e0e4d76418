// --check-config says what the start says (issue 26): a directory the start
// refuses is refused by the check, and --running checks a config against the
// daemon that holds its ports.
#include <sys/socket.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "daemon/config/config_check.hpp"
#include "daemon/sys/private_dir.hpp"
#include "tests/support/held_port.hpp"
#include "tests/support/test_support.hpp"

using asncounter::Options;
using asncounter::test::TempDir;

namespace {

Options under(const TempDir& dir) {
  Options o;
  o.socket = (dir / "run/control.sock").string();
  o.state_dir = (dir / "state").string();
  o.cache_dir = (dir / "cache").string();
  return o;
}

std::string problems(const Options& o) {
  std::string out;
  for (const auto& p : asncounter::check_startup(o)) out += p.key + ": " + p.why + "\n";
  return out;
}

}  // namespace

TEST_CASE("check-config: refuses a state directory of mode 0755 as the start does", "[config_check][trust]") {
  TempDir dir;
  Options o = under(dir);
  std::filesystem::create_directory(o.state_dir);
  ::chmod(o.state_dir.c_str(), 0755);
  auto start = asncounter::prepare_private_dir(o.state_dir, "state directory");
  REQUIRE_FALSE(start);
  CHECK(problems(o) == "state-dir: " + start.error() + "\n");
  ::chmod(o.state_dir.c_str(), 0750);
  CHECK(problems(o).empty());

  // The socket directory too; the cache directory where the daemon downloads into it.
  std::filesystem::create_directories(dir / "run");
  std::filesystem::create_directories(o.cache_dir);
  ::chmod((dir / "run").c_str(), 0777);
  ::chmod(o.cache_dir.c_str(), 0755);
  auto found = problems(o);
  CHECK_THAT(found,
             Catch::Contains("socket: socket directory") && Catch::Contains("can be entered by others"));
  CHECK_THAT(found, Catch::Contains("cache-dir: cache directory"));
  // With --db alone the cache directory only holds table caches: not refused.
  o.db = (dir / "t.dat").string();
  o.rib_url_given = false;
  ::chmod((dir / "run").c_str(), 0750);
  CHECK_THAT(problems(o), !Catch::Contains("cache-dir"));
}

TEST_CASE("check-config --running: the ports the running daemon holds are not problems",
          "[config_check][trust]") {
  TempDir dir;
  Options o = under(dir);
  auto tcp = asncounter::test::hold_loopback_port(SOCK_STREAM);
  auto udp = asncounter::test::hold_loopback_port(SOCK_DGRAM);
  REQUIRE(tcp.fd);
  REQUIRE(udp.fd);
  o.metrics_listen = "127.0.0.1:" + std::to_string(tcp.port);
  o.inputs = {"netflow:127.0.0.1:" + std::to_string(udp.port)};
  auto before = problems(o);
  CHECK_THAT(before, Catch::Contains("metrics-listen: ") && Catch::Contains("input: netflow:"));
  o.check_running = true;
  CHECK(problems(o).empty());
  // Still refused: an address no one may bind.
  o.metrics_listen = "192.0.2.1:9";
  CHECK_THAT(problems(o), Catch::Contains("metrics-listen: "));
}
