// asncounterd --once with no --db (issue 14 item 2): the newest table and the
// AS names in cache-dir, downloaded there from a RouteViews mirror (a real
// HTTP server on 127.0.0.1) when there are none; or a message that says how
// to get a table. The second run maps the table cache instead of parsing.
#include <catch2/catch.hpp>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/support/local_http_server.hpp"
#include "tests/support/test_support.hpp"
#include "tests/tools/mrt_writer.hpp"

namespace fs = std::filesystem;
using asncounter::test::LocalHttpServer;
using asncounter::test::run_command;
using asncounter::test::TempDir;

namespace {

const std::string kDaemon = ASNCOUNTERD_BIN;

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

// A mirror laid out as the RouteViews archive, with this month's folder (the
// source lists the month of the real clock) holding one RIB, and asnames.json.
void write_mirror(const fs::path& root) {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char month[16], rib[40];
  std::strftime(month, sizeof month, "%Y.%m", &tm);
  std::strftime(rib, sizeof rib, "rib.%Y%m01.0000.bz2", &tm);
  asncounter::test::MrtWriter w(static_cast<std::uint32_t>(now - 3600));
  w.peer_index_table(1);
  w.rib(*asncounter::parse_prefix("192.0.2.0/24"), {asncounter::test::path_entry({64500, 64496})});
  w.rib(*asncounter::parse_prefix("2001:db8::/32"), {asncounter::test::path_entry({64500, 64497})});
  fs::path dir = root / month / "RIBS";
  fs::create_directories(dir);
  asncounter::test::write_packed((dir / rib).string(), w.bytes(), asncounter::test::Packing::bzip2);
  std::ofstream(root / "asnames.json") << R"({"64496": "DOC-NET, ZZ", "64497": "DOC-SIX, ZZ"})";
}

std::size_t count_files(const fs::path& dir, const std::string& suffix) {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += e.path().filename().string().ends_with(suffix);
  return n;
}

}  // namespace

TEST_CASE("once: no --db downloads the newest table and names into cache-dir, then uses them",
          "[once][cache]") {
  TempDir dir;
  write_mirror(dir / "mirror");
  fs::path cache = dir / "cache";
  auto server = std::make_unique<LocalHttpServer>(dir / "mirror");
  std::string flags = " --cache-dir " + q(cache) + " --rib-url " + server->url() + " --asnames-url " +
                      server->url() + "/asnames.json";
  std::string input = "printf '192.0.2.1\\n192.0.2.7\\n2001:db8::1\\n203.0.113.9\\n' | ";

  auto first = run_command(input + kDaemon + " --once" + flags + " 2> " + q(dir / "err1"));
  INFO(run_command("cat " + q(dir / "err1")).out);
  REQUIRE(first.status == 0);
  CHECK(first.out.find("2\t50.00\t64496\tDOC-NET, ZZ\n") != std::string::npos);
  CHECK(first.out.find("1\t25.00\t64497\tDOC-SIX, ZZ\n") != std::string::npos);
  CHECK(first.out.find("1\t25.00\tNone\tNone\n") != std::string::npos);
  CHECK(run_command("cat " + q(dir / "err1")).out.find("downloading the newest RIB") != std::string::npos);
  CHECK(count_files(cache, ".bz2") == 1);
  CHECK(fs::is_regular_file(cache / "asnames"));
  CHECK(count_files(cache, ".table-cache") == 1);

  // The mirror is gone: the same command counts with what cache-dir holds,
  // names included, and says nothing about downloads.
  server.reset();
  auto second = run_command(input + kDaemon + " --once" + flags + " 2> " + q(dir / "err2"));
  REQUIRE(second.status == 0);
  CHECK(second.out == first.out);
  CHECK(run_command("cat " + q(dir / "err2")).out.empty());
  // Downloads off makes no difference while the cache has a table.
  auto third = run_command(input + kDaemon + " --once --cache-dir " + q(cache) + " --rib-url ''");
  CHECK(third.status == 0);
  CHECK(third.out == first.out);
}

TEST_CASE("once: with no table anywhere and downloads off, the message says how to get one",
          "[once][cache]") {
  TempDir dir;
  fs::create_directories(dir / "cache");
  auto r = run_command("echo 8.8.8.8 | " + kDaemon + " --once --cache-dir " + q(dir / "cache") +
                       " --rib-url '' 2>&1");
  CHECK(r.status == 1);
  CHECK(r.out.find("downloads are off") != std::string::npos);
  CHECK(r.out.find("--db FILE") != std::string::npos);
  CHECK(r.out.find("--cache-dir DIR") != std::string::npos);
  CHECK(r.out.find("--rib-url BASE") != std::string::npos);
}

TEST_CASE("once: a download that fails names the mirror and how to get a table", "[once][cache]") {
  TempDir dir;
  fs::create_directories(dir / "mirror");
  LocalHttpServer server(dir / "mirror");  // an empty archive: nothing listed
  auto r = run_command("echo 8.8.8.8 | " + kDaemon + " --once --cache-dir " + q(dir / "cache") +
                       " --rib-url " + server.url() + " --asnames-url '' 2>&1");
  CHECK(r.status == 1);
  CHECK(r.out.find("the download failed") != std::string::npos);
  CHECK(r.out.find("--db FILE") != std::string::npos);
}

TEST_CASE("once: --db is parsed once, then mapped from the table cache, and a damaged cache is rebuilt",
          "[once][cache]") {
  TempDir dir;
  fs::create_directories(dir / "cache");
  std::ofstream(dir / "t.dat") << "; t\n192.0.2.0/24\t64496\n2001:db8::/32\t64497\n";
  std::string cmd = "printf '192.0.2.1\\n2001:db8::1\\n' | " + kDaemon + " --once --db " + q(dir / "t.dat") +
                    " --cache-dir " + q(dir / "cache") + " 2> " + q(dir / "err");
  auto err = [&] { return run_command("cat " + q(dir / "err")).out; };
  auto first = run_command(cmd);
  REQUIRE(first.status == 0);
  CHECK(err().empty());
  REQUIRE(count_files(dir / "cache", ".table-cache") == 1);
  fs::path cache_file;
  for (const auto& e : fs::directory_iterator(dir / "cache")) cache_file = e.path();
  auto mapped = run_command(cmd);
  CHECK(mapped.status == 0);
  CHECK(mapped.out == first.out);
  CHECK(err().empty());
  {
    std::fstream f(cache_file, std::ios::in | std::ios::out | std::ios::binary);
    auto at = static_cast<std::streamoff>(fs::file_size(cache_file) / 2);
    f.seekg(at);
    char c = static_cast<char>(f.get());
    f.seekp(at);
    f.put(static_cast<char>(c ^ 0x55));
  }
  auto rebuilt = run_command(cmd);
  CHECK(rebuilt.status == 0);
  CHECK(rebuilt.out == first.out);
  CHECK(err().find("ignored (checksum mismatch), rebuilt") != std::string::npos);
  CHECK(run_command(cmd).out == first.out);
  CHECK(err().empty());
}
