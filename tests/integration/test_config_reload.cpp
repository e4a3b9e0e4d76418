// Issue 14 items 4, 5 and 8 against the real programs: --check-config refuses
// what a start would, a reload names what waits for a restart and refuses a
// bad db, and the log counts its inputs in good English.
#include <signal.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "daemon/refresh/http_fetch.hpp"
#include "tests/integration/daemon_fixture.hpp"
#include "tests/support/files.hpp"

namespace fs = std::filesystem;
using asncounter::test::DaemonFixture;
using asncounter::test::quote;
using asncounter::test::run_command;
using asncounter::test::write_text;

TEST_CASE("A reload names the keys that need a restart and refuses a db replaced by garbage",
          "[daemon][reload]") {
  DaemonFixture::Setup setup;
  setup.db_in_config = true;
  DaemonFixture d(setup);
  const std::string db_line = "db = " + d.db().string() + "\n";

  write_text(d.config(), db_line + "input-format = field:1\nmetrics-top-asns = 7\n");
  auto r = d.ctl("reload");
  CHECK(r.status == 0);
  CHECK(r.out == "configuration reloaded\ninput-format: needs a restart (the old value stays)\n");
  auto j = d.ctl("--json reload");
  CHECK(j.out == "{\"needs_restart\":[\"input-format\"],\"reloaded\":true}\n");
  CHECK(d.log().find("input-format: needs a restart") != std::string::npos);

  // The same path, a file that is no table any more: what a start would refuse.
  const std::string good = [&] {
    std::ifstream in(d.db(), std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  write_text(d.db(), "root:x:0:0:root:/root:/bin/bash\n");
  auto bad = d.ctl("reload");
  INFO(bad.out);
  CHECK(bad.status == 1);
  CHECK(bad.out.find("db: " + d.db().string() + ": not a table") != std::string::npos);
  CHECK(bad.out.find("configuration reloaded") == std::string::npos);
  write_text(d.db(), good);
  CHECK(d.ctl("reload").status == 0);
  CHECK(d.stop(SIGTERM) == 0);
}

TEST_CASE("asncounterd --check-config refuses what the daemon would refuse at start",
          "[daemon][check_config]") {
  asncounter::test::TempDir dir;
  const fs::path conf = dir / "bad.conf";
  std::ofstream(conf) << "db = /etc/passwd\nsocket-group = nosuchgroup\nfilter = tcp port\n"
                      << "input = fifo:/nonexistent/dir/in.fifo\nstate-dir = " << (dir / "state").string()
                      << "\ncache-dir = " << (dir / "cache").string()
                      << "\nsocket = " << (dir / "s.sock").string() << "\n";
  auto r = run_command(std::string(ASNCOUNTERD_BIN) + " --check-config --config " + quote(conf.string()) +
                       " 2>&1");
  INFO(r.out);
  CHECK(r.status == 2);
  CHECK(r.out.find("asncounterd: db: /etc/passwd: not a table") != std::string::npos);
  CHECK(r.out.find("asncounterd: socket-group: unknown group 'nosuchgroup'") != std::string::npos);
  CHECK(r.out.find("asncounterd: filter: ") != std::string::npos);
  CHECK(r.out.find("asncounterd: input: fifo:/nonexistent/dir/in.fifo: directory") != std::string::npos);
  CHECK(r.out.find("4 problems") != std::string::npos);
}

TEST_CASE("The daemon counts its inputs in good English", "[daemon][manners]") {
  DaemonFixture d;
  CHECK(d.log().find("with 1 input") != std::string::npos);
  CHECK(d.log().find("1 inputs") == std::string::npos);
  CHECK(d.stop(SIGTERM) == 0);
}

TEST_CASE("A reload applies metrics-top-asns at the next scrape", "[daemon][reload][metrics]") {
  const int port = asncounter::test::free_tcp_port();
  DaemonFixture::Setup setup;
  setup.db_in_config = true;
  setup.config_text = "metrics-top-asns = 3\n";
  setup.extra_args = {"--metrics-listen", "127.0.0.1:" + std::to_string(port)};
  DaemonFixture d(setup);
  d.write_fifo("192.0.2.9\n192.0.2.9\n192.0.2.9\n198.51.100.1\n198.51.100.1\n203.0.113.1\n");
  REQUIRE(d.wait_for_hits(6) == 6);
  // The ASNs with a series of their own ("other" aside).
  auto series = [&] {
    asncounter::FetchLimits limits;
    limits.total_timeout_s = 10;
    auto body = asncounter::fetch_to_string("http://127.0.0.1:" + std::to_string(port) + "/metrics", limits);
    REQUIRE(body.ok());
    int n = 0;
    std::istringstream in(*body);
    for (std::string line; std::getline(in, line);)
      if (line.starts_with("asncounter_asn_hits_total{") && line.find("asn=\"other\"") == std::string::npos)
        ++n;
    return n;
  };
  CHECK(series() == 3);
  write_text(d.config(), "db = " + d.db().string() + "\nmetrics-top-asns = 1\n");
  auto r = d.ctl("reload");
  CHECK(r.out == "configuration reloaded\n");
  CHECK(series() == 1);
  CHECK(d.stop(SIGTERM) == 0);
}
