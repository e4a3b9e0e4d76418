// Decompression bombs against the real binaries (issue 12 finding 1): a
// table of one ipasn line repeated millions of times, bzip2 or gzip, costs
// memory for one prefix, not for every line; the decompressed bytes and the
// distinct prefixes are capped; a first RouteViews dump of one prefix is
// refused as implausible. Peak RSS is the kernel's (wait4, VmHWM).
#include <catch2/catch.hpp>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>

#include "daemon/refresh/archive_index.hpp"
#include "tests/integration/daemon_fixture.hpp"
#include "tests/support/local_http_server.hpp"
#include "tests/support/peak_rss.hpp"
#include "tests/support/polling.hpp"
#include "tests/support/sanitizer_bounds.hpp"

namespace fs = std::filesystem;
using asncounter::test::DaemonFixture;
using asncounter::test::eventually;
using asncounter::test::kMiB;
using asncounter::test::LocalHttpServer;
using asncounter::test::rss_bound_kib;
using asncounter::test::run_command;
using asncounter::test::run_measured;
using asncounter::test::TempDir;

namespace {

// Decompressed size of the bombs: unfixed, one Route per line made this
// several hundred MiB resident.
constexpr int kBombMib = 128;
// Peak RSS allowed while reading a bomb: the binary, one prefix and the
// decompression buffers. Checked through rss_bound_kib: more in a sanitizer
// build.
constexpr long kBombRss = 64 * kMiB;

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

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
        std::string(ASNCOUNTERD_BIN) + " --once --db " + q(bomb) + " --input file:" + input.string(),
        dir.path());
    INFO(m.err);
    CHECK(m.status == 0);
    CHECK(m.out.find("15169") != std::string::npos);
    CHECK(m.max_rss_kib < rss_bound_kib(kBombRss));
  }
}

TEST_CASE("asncounterd --once refuses a table past table-max-mib or table-max-prefixes, naming the bound",
          "[adversarial][once]") {
  TempDir dir;
  fs::path bomb = make_bomb(dir.path(), "bzip2", kBombMib, "bomb.dat.bz2");
  auto m =
      run_measured(std::string(ASNCOUNTERD_BIN) + " --once --table-max-mib 16 --db " + q(bomb), dir.path());
  CHECK(m.status == 1);
  CHECK(m.err.find("table-max-mib") != std::string::npos);
  CHECK(m.err.find("bomb.dat.bz2") != std::string::npos);
  CHECK(m.max_rss_kib < rss_bound_kib(kBombRss));

  fs::path many = dir / "many.dat";
  {
    std::ofstream f(many);
    for (int i = 0; i < 2000; ++i) f << "10." << i / 256 << "." << i % 256 << ".0/24\t64496\n";
  }
  m = run_measured(std::string(ASNCOUNTERD_BIN) + " --once --table-max-prefixes 1000 --db " + q(many),
                   dir.path());
  CHECK(m.status == 1);
  CHECK(m.err.find("table-max-prefixes") != std::string::npos);
  m = run_measured(std::string(ASNCOUNTERD_BIN) + " --once --table-max-prefixes 2000 --db " + q(many),
                   dir.path());
  CHECK(m.status == 0);
}

TEST_CASE("asncounterctl as-prefixes --db with a bomb stays small", "[adversarial][ctl]") {
  TempDir dir;
  fs::path bomb = make_bomb(dir.path(), "bzip2", kBombMib, "bomb.dat.bz2");
  auto m =
      run_measured(std::string(ASNCOUNTERCTL_BIN) + " as-prefixes --db " + q(bomb) + " 15169", dir.path());
  INFO(m.err);
  CHECK(m.status == 0);
  CHECK(m.out.find("1.0.0.0/24") != std::string::npos);
  CHECK(m.max_rss_kib < rss_bound_kib(kBombRss));
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
  REQUIRE(eventually([&] { return d.stats()["refresh"]["failed"].get<int>() >= 1; }));
  auto s = d.stats();
  INFO(s.dump());
  CHECK(s["table"]["prefixes"] == 0);
  CHECK(s["refresh"]["last_outcome"].get<std::string>().find("rib-min-prefixes") != std::string::npos);
  long hwm = asncounter::test::peak_rss_kib(d.pid());
  CHECK(hwm > 0);
  CHECK(hwm < rss_bound_kib(kBombRss + 32 * kMiB));  // the daemon's threads and buffers besides
  // The refused dump is not kept in the cache for the next start.
  CHECK_FALSE(fs::exists(d.dir() / "cache/rib.20261125.0000.bz2"));
}
