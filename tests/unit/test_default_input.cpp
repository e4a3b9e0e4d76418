// What the daemon reads with no --input: stdin when it is a pipe or a file,
// never a terminal or /dev/null (daemon/input/default_input.hpp).
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>

#include "daemon/input/default_input.hpp"
#include "tests/support/pty.hpp"
#include "tests/support/test_support.hpp"

using asncounter::daemon_inputs;
using asncounter::no_input_warning;
using asncounter::stdin_kind;
using asncounter::StdinKind;

TEST_CASE("default input: stdin kinds", "[default_input]") {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  CHECK(stdin_kind(fds[0]) == StdinKind::data);
  close(fds[0]);
  close(fds[1]);
  CHECK(stdin_kind(fds[0]) == StdinKind::none);  // closed

  asncounter::test::TempDir dir;
  std::ofstream(dir / "file") << "192.0.2.1\n";
  int file = open((dir / "file").c_str(), O_RDONLY);
  CHECK(stdin_kind(file) == StdinKind::data);
  close(file);

  int null = open("/dev/null", O_RDONLY);
  CHECK(stdin_kind(null) == StdinKind::none);
  close(null);

  auto pty = asncounter::test::open_pty();
  REQUIRE(pty.master);
  REQUIRE(pty.terminal);
  CHECK(stdin_kind(pty.terminal.get()) == StdinKind::terminal);
}

TEST_CASE("default input: stdin only when no input is configured and it holds data", "[default_input]") {
  using V = std::vector<std::string>;
  CHECK(daemon_inputs({}, StdinKind::data) == V{"-"});
  CHECK(daemon_inputs({}, StdinKind::terminal).empty());
  CHECK(daemon_inputs({}, StdinKind::none).empty());
  CHECK(daemon_inputs({"fifo:/x"}, StdinKind::data) == V{"fifo:/x"});
  CHECK(no_input_warning({"-"}, StdinKind::data).empty());
  CHECK(no_input_warning({"fifo:/x"}, StdinKind::terminal).empty());
  CHECK_THAT(no_input_warning({}, StdinKind::terminal), Catch::Contains("stdin is a terminal"));
  CHECK_THAT(no_input_warning({}, StdinKind::none), Catch::Contains("--input SPEC (-, stdin, file:PATH"));
}
