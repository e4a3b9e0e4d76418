// Files the daemon writes, against a hostile state or input directory: a
// state file it cannot read stops the start and stays as it is; links
// planted where it creates files are never followed; directories others can
// enter are refused.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "tests/integration/daemon_fixture.hpp"
#include "tests/support/files.hpp"

namespace fs = std::filesystem;
using asncounter::test::CommandResult;
using asncounter::test::DaemonFixture;
using asncounter::test::quote;
using asncounter::test::read_text;
using asncounter::test::TempDir;

namespace {

std::string lines(int n, const char* address) {
  std::string out;
  for (int i = 0; i < n; ++i) out += std::string(address) + "\n";
  return out;
}

// The fixture's command line, run to its end: for starts that must fail. A
// daemon that starts anyway is stopped by `timeout`, and the test fails on
// its status.
CommandResult start_expecting_refusal(const DaemonFixture& d) {
  std::string line = "timeout 30";
  for (const auto& word : d.command()) line += " " + quote(word);
  return asncounter::test::run_command(line + " 2>&1");
}

mode_t mode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::lstat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

}  // namespace

// Root opens any file whatever its mode, so the state file is made
// unreadable another way: a directory in its place (read() says EISDIR).
// The old daemon took it for an empty file, set it aside and started from zero.
TEST_CASE("A state file the daemon cannot read stops the start, named, and is left as it is",
          "[daemon][adversarial]") {
  DaemonFixture d;
  d.write_fifo(lines(5, "192.0.2.1"));
  REQUIRE(d.wait_for_hits(5) == 5);
  REQUIRE(d.stop(SIGTERM) == 0);
  fs::path state = d.dir() / "state" / "counts.state";
  fs::rename(state, d.dir() / "saved.state");
  fs::create_directory(state);
  fs::rename(d.dir() / "saved.state", state / "inside");

  auto refused = start_expecting_refusal(d);
  INFO(refused.out);
  CHECK(refused.status == 1);
  CHECK(refused.out.find(state.string()) != std::string::npos);
  CHECK(refused.out.find("Is a directory") != std::string::npos);
  CHECK(fs::is_directory(state));
  CHECK(fs::exists(state / "inside"));
  for (const auto& e : fs::directory_iterator(d.dir() / "state"))
    CHECK_FALSE(e.path().filename().string().starts_with("counts.state.damaged-"));

  // Put back, the counts are all there.
  fs::rename(state / "inside", d.dir() / "saved.state");
  fs::remove(state);
  fs::rename(d.dir() / "saved.state", state);
  d.start();
  CHECK(d.wait_for_hits(5) == 5);
  CHECK(d.stop(SIGTERM) == 0);
}

TEST_CASE("Saving the counts never writes through a link planted at counts.state.tmp",
          "[daemon][adversarial]") {
  DaemonFixture d;
  TempDir outside;
  std::ofstream(outside / "victim") << "precious\n";
  fs::create_symlink(outside / "victim", d.dir() / "state" / "counts.state.tmp");
  d.write_fifo(lines(7, "192.0.2.1"));
  REQUIRE(d.wait_for_hits(7) == 7);
  REQUIRE(d.stop(SIGTERM) == 0);  // saves
  CHECK(read_text(outside / "victim") == "precious\n");
  CHECK_FALSE(fs::is_symlink(d.dir() / "state" / "counts.state"));
  d.start();
  CHECK(d.wait_for_hits(7) == 7);
  CHECK(d.stop(SIGTERM) == 0);
}

TEST_CASE("A link planted where the FIFO goes is refused and its target keeps its mode",
          "[daemon][adversarial]") {
  DaemonFixture d;
  REQUIRE(d.stop(SIGTERM) == 0);
  TempDir outside;
  auto target = outside / "victim.fifo";
  REQUIRE(::mkfifo(target.c_str(), 0600) == 0);
  REQUIRE(::chmod(target.c_str(), 0600) == 0);
  fs::remove(d.fifo());
  fs::create_symlink(target, d.fifo());

  auto refused = start_expecting_refusal(d);
  INFO(refused.out);
  CHECK(refused.status == 1);
  CHECK(refused.out.find(d.fifo().string() + " is a symbolic link") != std::string::npos);
  CHECK(mode_of(target) == 0600);
  CHECK(fs::is_symlink(d.fifo()));
}

TEST_CASE("A link planted at the socket path is refused and its target left alone", "[daemon][adversarial]") {
  DaemonFixture d;
  REQUIRE(d.stop(SIGTERM) == 0);
  TempDir outside;
  std::ofstream(outside / "victim") << "precious\n";
  REQUIRE(::chmod((outside / "victim").c_str(), 0600) == 0);
  fs::remove(d.socket());
  fs::create_symlink(outside / "victim", d.socket());

  auto refused = start_expecting_refusal(d);
  INFO(refused.out);
  CHECK(refused.status == 1);
  CHECK(mode_of(outside / "victim") == 0600);
  CHECK(read_text(outside / "victim") == "precious\n");
}

// As the socket directory: files there are created by name, so others must
// not be able to enter it, plant links or swap files.
TEST_CASE("A state directory others can enter is refused, naming it", "[daemon][adversarial]") {
  DaemonFixture d;
  REQUIRE(d.stop(SIGTERM) == 0);
  fs::path dir = d.dir() / "state";
  REQUIRE(::chmod(dir.c_str(), 0777) == 0);
  auto refused = start_expecting_refusal(d);
  INFO(refused.out);
  CHECK(refused.status == 1);
  CHECK(refused.out.find("state directory " + dir.string() + " can be entered by others") !=
        std::string::npos);
  CHECK(mode_of(dir) == 0777);
}
