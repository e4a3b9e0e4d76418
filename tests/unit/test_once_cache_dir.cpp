// One-shot manners with --cache-dir (issue 26): a missing directory given
// with --cache-dir is made for the table cache (private, as the daemon's),
// and nothing is left behind when nothing was written.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "daemon/config/options.hpp"
#include "daemon/once/made_dir.hpp"
#include "daemon/once/once_table.hpp"
#include "tests/support/test_support.hpp"

namespace fs = std::filesystem;
using asncounter::Options;
using asncounter::test::TempDir;

namespace {

std::size_t entries(const fs::path& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

mode_t mode_of(const fs::path& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("once: --db with a missing --cache-dir makes it and keeps the table cache there", "[once][trust]") {
  TempDir dir;
  std::ofstream(dir / "t.dat") << "; t\n192.0.2.0/24\t64496\n";
  Options o;
  o.db = (dir / "t.dat").string();
  o.cache_dir = (dir / "new/cache").string();
  o.cache_dir_given = true;
  std::ostringstream err;
  auto chosen = asncounter::choose_once_table(o, err);
  REQUIRE(chosen);
  INFO(err.str());
  REQUIRE(fs::is_directory(o.cache_dir));
  CHECK(entries(o.cache_dir) == 1);  // the table cache
  CHECK(mode_of(o.cache_dir) == (::geteuid() == 0 ? 0750U : 0700U));
  CHECK(err.str().empty());
}

TEST_CASE("once: a --cache-dir that cannot be made is said, and the count goes on", "[once][trust]") {
  TempDir dir;
  std::ofstream(dir / "t.dat") << "; t\n192.0.2.0/24\t64496\n";
  std::ofstream(dir / "a-file") << "x";
  Options o;
  o.db = (dir / "t.dat").string();
  o.cache_dir = (dir / "a-file/cache").string();
  o.cache_dir_given = true;
  std::ostringstream err;
  REQUIRE(asncounter::choose_once_table(o, err));
  CHECK_THAT(err.str(), Catch::StartsWith("asncounterd: no table cache: cannot make cache directory"));
}

TEST_CASE("once: an offline run that cannot download leaves no empty cache directory", "[once][trust]") {
  TempDir dir;
  Options o;
  o.cache_dir = (dir / "var/cache/asncounter").string();
  o.rib_url = "http://127.0.0.1:1/nothing-listens";  // refused at once
  o.asnames_url = "";
  std::ostringstream err;
  CHECK_FALSE(asncounter::choose_once_table(o, err));
  CHECK_FALSE(fs::exists(dir / "var"));
  CHECK(entries(dir.path()) == 0);
}

TEST_CASE("MadeDir removes only what it made, and only while empty", "[once][trust]") {
  TempDir dir;
  {
    auto made = asncounter::MadeDir::make((dir / "a/b").string(), "cache directory");
    REQUIRE(made);
    CHECK(made->made());
  }
  CHECK_FALSE(fs::exists(dir / "a"));
  {
    auto made = asncounter::MadeDir::make((dir / "a/b").string(), "cache directory");
    REQUIRE(made);
    std::ofstream(dir / "a/b/kept") << "x";
  }
  CHECK(fs::exists(dir / "a/b/kept"));
}
