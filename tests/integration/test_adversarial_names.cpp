// AS names are text from outside: asncounterctl prints them with control
// characters escaped, so a name can neither drive the terminal nor fake rows.
#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "tests/integration/daemon_fixture.hpp"

using asncounter::test::DaemonFixture;

TEST_CASE("ctl report and lookup print AS names with control characters escaped", "[daemon][adversarial]") {
  DaemonFixture d;
  REQUIRE(d.stop(SIGTERM) == 0);
  // A terminal clear, then a newline and tabs that would make a fake row.
  std::ofstream(d.dir() / "asnames.json", std::ios::trunc)
      << R"({"64496": "EVIL\u001b[2J\u001b[H\nFAKE\t0.00\t64511\tROW", "64497": "DOC-B, ZZ"})";
  d.start();
  d.write_fifo("192.0.2.1\n198.51.100.1\n");
  REQUIRE(d.wait_for_hits(2) == 2);

  const std::string shown = R"(EVIL\x1b[2J\x1b[H\nFAKE\t0.00\t64511\tROW)";
  auto report = d.ctl("report");
  INFO(report.out);
  CHECK(report.status == 0);
  CHECK(report.out.find("64496\t" + shown + "\n") != std::string::npos);
  CHECK(report.out.find('\x1b') == std::string::npos);
  CHECK(report.out.find("\nFAKE") == std::string::npos);

  auto lookup = d.ctl("lookup 192.0.2.1");
  INFO(lookup.out);
  CHECK(lookup.status == 0);
  CHECK(lookup.out == "192.0.2.1\t64496\t192.0.2.0/24\t" + shown + "\n");
  CHECK(d.stop(SIGTERM) == 0);
}
