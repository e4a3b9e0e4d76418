// Issue 14 items 4, 5 and 8 against the real programs: --check-config refuses
// what a start would, a reload names what waits for a restart and refuses a
// bad db, and the log counts its inputs in good English.
#include <signal.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/integration/daemon_fixture.hpp"

namespace fs = std::filesystem;
using asncounter::test::DaemonFixture;
using asncounter::test::quote;
using asncounter::test::run_command;

namespace {

void write_text(const fs::path& path, const std::string& text) {
  fs::path tmp = path.string() + ".new";
  { std::ofstream(tmp, std::ios::binary | std::ios::trunc) << text; }
  fs::rename(tmp, path);
}

}  // namespace

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
