// Decompression bombs against the real binaries (issue 12 finding 1): a
// table of one ipasn line repeated millions of times, bzip2 or gzip, costs
// memory for one prefix, not for every line; the decompressed bytes and the
// distinct prefixes are capped; a first RouteViews dump of one prefix is
// refused as implausible. Peak RSS is the kernel's (wait4, VmHWM).
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>

#include "daemon/refresh/archive_index.hpp"
#include "tests/integration/daemon_fixture.hpp"
#include "tests/support/local_http_server.hpp"

namespace fs = std::filesystem;
using asncounter::test::DaemonFixture;
using asncounter::test::LocalHttpServer;
using asncounter::test::run_command;
using asncounter::test::TempDir;

namespace {

constexpr long kMiB = 1024;  // ru_maxrss and VmHWM are in KiB
// Decompressed size of the bombs: unfixed, one Route per line made this
// several hundred MiB resident.
constexpr int kBombMib = 128;
// Peak RSS allowed while reading a bomb: the binary, one prefix and the
// decompression buffers.
constexpr long kBombRssBound = 64 * kMiB;

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// `mib` MiB of one repeated ipasn line, compressed by `tool` (bzip2 or gzip)
// as one member of 61,680 whole lines (1 MiB) concatenated `mib` times: the readers take
// concatenated members as one stream, as bzip2 -d and gzip -d do, and the
// file stays a few KiB to a few hundred KiB.
fs::path make_bomb(const fs::path& dir, const std::string& tool, int mib, const std::string& name) {
  fs::path one = dir / ("one." + tool);
  fs::path out = dir / name;
  auto made =
      run_command("yes '1.0.0.0/24\t15169' | head -n 61680 | " + tool + " -c > " + q(one) +
                  " && for i in $(seq " + std::to_string(mib) + "); do cat " + q(one) + "; done > " + q(out));
  REQUIRE(made.status == 0);
  return out;
}

struct Measured {
  int status = -1;
  long max_rss_kib = 0;
  std::string out, err;
};

// Runs a shell command line with `exec` (so the measured process is the
// binary itself, not a shell) and returns its exit status and peak RSS.
Measured run_measured(const std::string& command, const TempDir& dir) {
  fs::path out = dir / "measured.out", err = dir / "measured.err";
  std::string line = "exec " + command + " </dev/null >" + q(out) + " 2>" + q(err);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", line.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  rusage ru{};
  REQUIRE(wait4(pid, &status, 0, &ru) == pid);
  Measured m;
  m.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  m.max_rss_kib = ru.ru_maxrss;
  m.out = read_text(out);
  m.err = read_text(err);
  return m;
}

// VmHWM of a running process, KiB.
long vm_hwm(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.starts_with("VmHWM:")) return std::stol(line.substr(6));
  return -1;
}

nlohmann::json stats(const DaemonFixture& d) {
  auto r = d.ctl("--json stats");
  REQUIRE(r.status == 0);
  return nlohmann::json::parse(r.out);
}

template <class Pred>
bool eventually(Pred pred) {
  for (int i = 0; i < 600; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

}  // namespace

TEST_CASE("asncounterd --once --db with a bzip2 or gzip bomb stays small and reads one prefix",
          "[adversarial][once]") {
  TempDir dir;
  for (std::string tool : {"bzip2", "gzip"}) {
    INFO(tool);
    fs::path bomb = make_bomb(dir.path(), tool, kBombMib, "bomb.dat." + tool);
    CHECK(fs::file_size(bomb) < 512 * 1024);
    fs::path input = dir / "in.txt";
    std::ofstream(input) << "1.0.0.1\n";
    auto m = run_measured(
        std::string(ASNCOUNTERD_BIN) + " --once --db " + q(bomb) + " --input file:" + input.string(), dir);
    INFO(m.err);
    CHECK(m.status == 0);
    CHECK(m.out.find("15169") != std::string::npos);
    CHECK(m.max_rss_kib < kBombRssBound);
  }
}

TEST_CASE("asncounterd --once refuses a table past table-max-mib or table-max-prefixes, naming the bound",
          "[adversarial][once]") {
  TempDir dir;
  fs::path bomb = make_bomb(dir.path(), "bzip2", kBombMib, "bomb.dat.bz2");
  auto m = run_measured(std::string(ASNCOUNTERD_BIN) + " --once --table-max-mib 16 --db " + q(bomb), dir);
  CHECK(m.status == 1);
  CHECK(m.err.find("table-max-mib") != std::string::npos);
  CHECK(m.err.find("bomb.dat.bz2") != std::string::npos);
  CHECK(m.max_rss_kib < kBombRssBound);

  fs::path many = dir / "many.dat";
  {
    std::ofstream f(many);
    for (int i = 0; i < 2000; ++i) f << "10." << i / 256 << "." << i % 256 << ".0/24\t64496\n";
  }
  m = run_measured(std::string(ASNCOUNTERD_BIN) + " --once --table-max-prefixes 1000 --db " + q(many), dir);
  CHECK(m.status == 1);
  CHECK(m.err.find("table-max-prefixes") != std::string::npos);
  m = run_measured(std::string(ASNCOUNTERD_BIN) + " --once --table-max-prefixes 2000 --db " + q(many), dir);
  CHECK(m.status == 0);
}

TEST_CASE("asncounterctl as-prefixes --db with a bomb stays small", "[adversarial][ctl]") {
  TempDir dir;
  fs::path bomb = make_bomb(dir.path(), "bzip2", kBombMib, "bomb.dat.bz2");
  auto m = run_measured(std::string(ASNCOUNTERCTL_BIN) + " as-prefixes --db " + q(bomb) + " 15169", dir);
  INFO(m.err);
  CHECK(m.status == 0);
  CHECK(m.out.find("1.0.0.0/24") != std::string::npos);
  CHECK(m.max_rss_kib < kBombRssBound);
}

TEST_CASE("A bomb served as the first RouteViews dump is refused as implausible, in bounded memory",
          "[adversarial][daemon]") {
  TempDir archive;
  std::int64_t now = std::time(nullptr);
  std::string month = asncounter::rib_month_url(archive.path().string(), now);
  fs::create_directories(month);
  fs::create_directories(asncounter::rib_month_url(archive.path().string(), now, 1));
  make_bomb(month, "bzip2", kBombMib, "rib.20261125.0000.bz2");
  LocalHttpServer server(archive.path());

  DaemonFixture::Setup setup;
  setup.db_in_config = true;  // and an empty --db, which wins: no table before the download
  setup.extra_args = {"--db", "", "--rib-url", server.url()};
  DaemonFixture d(setup);
  REQUIRE(eventually([&] { return stats(d)["refresh"]["failed"].get<int>() >= 1; }));
  auto s = stats(d);
  INFO(s.dump());
  CHECK(s["table"]["prefixes"] == 0);
  CHECK(s["refresh"]["last_outcome"].get<std::string>().find("rib-min-prefixes") != std::string::npos);
  long hwm = vm_hwm(d.pid());
  CHECK(hwm > 0);
  CHECK(hwm < kBombRssBound + 32 * kMiB);  // the daemon's threads and buffers besides
  // The refused dump is not kept in the cache for the next start.
  CHECK_FALSE(fs::exists(d.dir() / "cache/rib.20261125.0000.bz2"));
}
