// asncounterd --once, the real binary, against the pyasn-based counter
// (tests/bench/pyasn_counter.py, the old tool's core) over the same stream.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <random>
#include <string>

#include "tests/support/test_support.hpp"

using asncounter::test::run_command;
using asncounter::test::TempDir;

namespace {

const std::string kDaemon = ASNCOUNTERD_BIN;
const std::string kOracle =
    std::string("/usr/bin/python3 ") + ASNCOUNTER_SOURCE_DIR + "/tests/bench/pyasn_counter.py";

bool have_pyasn() { return run_command("/usr/bin/python3 -c 'import pyasn' >/dev/null 2>&1").status == 0; }

std::string q(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

/// A small ipasn table with nested documentation prefixes and both families.
std::filesystem::path write_table(const TempDir& dir) {
  std::ofstream f(dir / "table.dat");
  f << "; test table\n"
       "192.0.2.0/24\t64496\n192.0.2.0/25\t64497\n192.0.2.128/26\t64498\n"
       "198.51.100.0/24\t64499\n203.0.113.0/24\t65551\n10.0.0.0/8\t64500\n10.1.0.0/16\t64501\n"
       "2001:db8::/32\t64510\n2001:db8:1::/48\t64511\n";
  return dir / "table.dat";
}

std::filesystem::path write_names(const TempDir& dir) {
  std::ofstream(dir / "asnames.json")
      << R"({"64496": "DOC-A, ZZ", "64499": "DOC-B, ZZ", "64510": "DOC-6, ZZ"})";
  return dir / "asnames.json";
}

/// Lines of every kind the plain format meets; skewed so counts differ.
std::string make_stream(std::size_t lines, unsigned seed, bool v4_random) {
  std::mt19937 rng(seed);
  std::string out;
  for (std::size_t i = 0; i < lines; ++i) {
    auto k = static_cast<unsigned>(rng() % 100);
    if (v4_random) {
      auto a = static_cast<std::uint32_t>(rng());
      out += std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 255) + "." +
             std::to_string((a >> 8) & 255) + "." + std::to_string(a & 255) + "\n";
    } else if (k < 30) {
      out += "192.0.2." + std::to_string(rng() % 256) + "\n";
    } else if (k < 45) {
      out += "  10." + std::to_string(rng() % 3) + "." + std::to_string(rng() % 256) + ".7  \n";
    } else if (k < 55) {
      out += "198.51.100." + std::to_string(rng() % 256) + " # with a comment\n";
    } else if (k < 62) {
      out += "203.0.113.9\n";
    } else if (k < 75) {
      out += "2001:db8:" + std::to_string(rng() % 3) + "::" + std::to_string(rng() % 100) + "\n";
    } else if (k < 85) {
      out += "100.64." + std::to_string(rng() % 256) + ".1\n";  // unrouted
    } else if (k < 90) {
      out += "2a00::" + std::to_string(rng() % 50) + "\n";  // unrouted IPv6
    } else if (k < 94) {
      out += (k % 2 ? "\n" : "# only a comment\n");
    } else {
      static const char* garbage[] = {"garbage", "300.1.2.3", "1.2.3", "::g", "192.0.2.1.5"};
      out += std::string(garbage[rng() % 5]) + "\n";
    }
  }
  return out;
}

}  // namespace

TEST_CASE("once: report equals the pyasn counter's over the same stream, stdin and files", "[once]") {
  if (!have_pyasn()) ASNCOUNTER_SKIP("needs /usr/bin/python3 with pyasn (python3-pyasn)");
  // One thread, and all cores (the parallel line path, daemon/input/lines/parallel_lines.hpp).
  const std::string asncounterd =
      kDaemon + GENERATE(as<std::string>{}, " --threads 1", " --threads 0", " --threads 4");
  TempDir dir;
  auto table = write_table(dir);
  auto names = write_names(dir);
  std::ofstream(dir / "a.log") << make_stream(60000, 1, false);
  std::ofstream(dir / "b.log") << make_stream(40000, 2, false);
  REQUIRE(
      run_command("cat " + q(dir / "a.log") + " " + q(dir / "b.log") + " > " + q(dir / "all.log")).status ==
      0);

  auto expected = run_command(kOracle + " --db " + q(table) + " --asnames " + q(names) + " --top 0 " +
                              q(dir / "all.log") + " 2>/dev/null");
  REQUIRE(expected.status == 0);
  REQUIRE(expected.out.find("total: ") != std::string::npos);

  auto from_stdin = run_command(asncounterd + " --once --db " + q(table) + " --asnames " + q(names) +
                                " --top 0 < " + q(dir / "all.log") + " 2>" + q(dir / "err"));
  CHECK(from_stdin.status == 0);
  CHECK(from_stdin.out == expected.out);

  auto from_files = run_command(asncounterd + " --once --db " + q(table) + " --asnames " + q(names) +
                                " --top 0 --input file:" + (dir / "a.log").string() +
                                " --input file:" + (dir / "b.log").string() + " 2>/dev/null");
  CHECK(from_files.status == 0);
  CHECK(from_files.out == expected.out);

  // Rejected lines are reported on stderr, never in the report.
  auto err = run_command("cat " + q(dir / "err"));
  CHECK_THAT(err.out, Catch::Contains("lines rejected"));

  // --top 3: three rows per table, totals still over everything.
  auto top3 = run_command(asncounterd + " --once --db " + q(table) + " --top 3 < " + q(dir / "all.log") +
                          " 2>/dev/null");
  auto oracle3 =
      run_command(kOracle + " --db " + q(table) + " --top 3 " + q(dir / "all.log") + " 2>/dev/null");
  CHECK(top3.out == oracle3.out);
  CHECK(std::count(top3.out.begin(), top3.out.end(), '\n') == 2 * (1 + 3 + 1));
}

TEST_CASE("once: the real 512k-prefix table gives pyasn's counts", "[once]") {
  if (!have_pyasn()) ASNCOUNTER_SKIP("needs /usr/bin/python3 with pyasn (python3-pyasn)");
  const std::string asncounterd = kDaemon + GENERATE(as<std::string>{}, " --threads 1", " --threads 0");
  auto db = asncounter::test::shared_data("ipasn_20140513.dat.gz");
  if (!db) ASNCOUNTER_SKIP(asncounter::test::missing_data_message("ipasn_20140513.dat.gz"));
  TempDir dir;
  std::ofstream(dir / "random.log") << make_stream(200000, 3, true);
  auto expected = run_command(kOracle + " --db " + q(*db) + " --top 0 " + q(dir / "random.log"));
  REQUIRE(expected.status == 0);
  auto got = run_command(asncounterd + " --once --db " + q(*db) +
                         " --top 0 --input file:" + (dir / "random.log").string());
  CHECK(got.status == 0);
  CHECK(got.out == expected.out);
}

TEST_CASE("once: usage and runtime errors give exit codes 2 and 1", "[once]") {
  TempDir dir;
  auto table = write_table(dir);
  auto run = [&](const std::string& args) { return run_command(kDaemon + " " + args + " </dev/null 2>&1"); };
  // No --db, nothing in cache-dir, downloads off: no table (test_once_cache.cpp has the rest).
  std::filesystem::create_directories(dir / "cache");
  auto no_db = run("--once --cache-dir " + q(dir / "cache") + " --rib-url ''");
  CHECK(no_db.status == 1);
  CHECK_THAT(no_db.out, Catch::Contains("--db"));
  auto bad_input = run("--once --db " + q(table) + " --input tcp:1.2.3.4");
  CHECK(bad_input.status == 2);
  CHECK_THAT(bad_input.out, Catch::Contains("tcp:1.2.3.4"));
  auto missing_db = run("--once --db " + q(dir / "absent.dat"));
  CHECK(missing_db.status == 1);
  CHECK_THAT(missing_db.out, Catch::Contains("absent.dat"));
  auto unknown = run("--once --frobnicate");
  CHECK(unknown.status == 2);
  auto empty = run("--once --db " + q(table));
  CHECK(empty.status == 0);
  CHECK(empty.out == "count\tpercent\tASN\tAS\ntotal: 0\ncount\tpercent\tprefix\tASN\tAS\ntotal: 0\n");
}

TEST_CASE("once: --check-config, --help and --print-default-config", "[once][options]") {
  TempDir dir;
  // Good means the daemon would start: a real table, directories it can make.
  std::ofstream(dir / "t.dat") << "192.0.2.0/24\t64496\n";
  std::ofstream(dir / "good.conf") << "db = " << (dir / "t.dat").string()
                                   << "\ninput = fifo:" << (dir / "f").string()
                                   << "\nstate-dir = " << (dir / "state").string()
                                   << "\ncache-dir = " << (dir / "cache").string()
                                   << "\nsocket = " << (dir / "run/s.sock").string() << "\n";
  std::ofstream(dir / "bad.conf") << "db = /x\n# fine so far\nbogus-key = 1\n";
  auto good = run_command(kDaemon + " --check-config --config " + q(dir / "good.conf") + " 2>&1");
  CHECK(good.status == 0);
  CHECK_THAT(good.out, Catch::Contains("OK"));
  auto bad = run_command(kDaemon + " --check-config --config " + q(dir / "bad.conf") + " 2>&1");
  CHECK(bad.status == 2);
  CHECK_THAT(bad.out, Catch::Contains((dir / "bad.conf").string() + ":3: unknown key 'bogus-key'"));
  auto help = run_command(kDaemon + " --help");
  CHECK(help.status == 0);
  CHECK_THAT(help.out, Catch::Contains("--refresh-interval"));
  auto conf = run_command(kDaemon + " --print-default-config");
  CHECK(conf.status == 0);
  std::ifstream shipped(std::string(ASNCOUNTER_SOURCE_DIR) + "/etc/asncounterd.conf");
  std::string text((std::istreambuf_iterator<char>(shipped)), std::istreambuf_iterator<char>());
  CHECK(conf.out == text);
}
