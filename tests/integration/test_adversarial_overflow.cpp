// Byte fields up to 2^64-1 (issue 12 finding 11), against the real daemon in
// --once: a line claiming more than 1 TiB is rejected, not summed, so the
// report's byte totals never wrap to a small number.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "tests/support/test_support.hpp"

namespace fs = std::filesystem;
using asncounter::test::run_command;
using asncounter::test::TempDir;

TEST_CASE("Lines carrying 2^64-1 bytes are rejected and the byte sums do not wrap", "[adversarial][once]") {
  TempDir dir;
  std::ofstream(dir / "table.dat") << "192.0.2.0/24\t64496\n";
  {
    std::ofstream f(dir / "in.json");
    f << R"({"ip":"192.0.2.1","bytes":18446744073709551615})"
      << "\n";
    f << R"({"ip":"192.0.2.1","bytes":2})"
      << "\n";
  }
  {
    std::ofstream f(dir / "in.txt");
    f << "192.0.2.1 9999999999999999999\n192.0.2.1 9999999999999999999\n192.0.2.1 5\n";
  }
  struct Case {
    const char* format;
    const char* file;
    const char* bytes;
  };
  for (Case c : {Case{"json:ip,bytes:bytes", "in.json", "2"}, Case{"field:1,bytes:2", "in.txt", "5"}}) {
    INFO(c.format);
    auto r = run_command(std::string(ASNCOUNTERD_BIN) + " --once --db '" + (dir / "table.dat").string() +
                         "' --input-format " + c.format + " --input 'file:" + (dir / c.file).string() +
                         "' 2>'" + (dir / "err").string() + "'");
    std::ifstream e(dir / "err");
    std::string err((std::istreambuf_iterator<char>(e)), std::istreambuf_iterator<char>());
    INFO(r.out);
    INFO(err);
    CHECK(r.status == 0);
    CHECK(err.find("lines rejected") != std::string::npos);
    // The ASN row ends with its bytes: the sum of the sane lines only.
    CHECK(r.out.find(std::string("\t64496\tNone\t") + c.bytes + "\n") != std::string::npos);
  }
}
