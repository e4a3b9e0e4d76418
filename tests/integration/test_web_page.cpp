// The page at / in a real browser (Debian's chromium, headless): the daemon
// fed a stream at a known pace, the page's top row and chart read from the
// DOM after its first refresh, a screenshot left in the test's output folder.
#include <catch2/catch.hpp>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "tests/integration/daemon_fixture.hpp"
#include "tests/support/files.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/polling.hpp"

using asncounter::test::DaemonFixture;
using asncounter::test::run_command;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const std::string kHostileName = "<script>alert(1)</script><img src=x onerror=alert(2)>, ZZ";

std::string chromium_command(const std::string& profile) {
  return "chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
         "--disable-background-networking --disable-component-update --disable-sync --hide-scrollbars "
         "--user-data-dir=" +
         asncounter::test::quote(profile) + " --virtual-time-budget=8000 --window-size=1100,1000 ";
}

// Where tests leave what a person may want to look at (ASNCOUNTER_TEST_OUTPUT, else ./test-output).
fs::path output_dir() {
  const char* env = std::getenv("ASNCOUNTER_TEST_OUTPUT");
  fs::path dir = env && *env ? fs::path(env) : fs::current_path() / "test-output";
  fs::create_directories(dir);
  return dir;
}

}  // namespace

TEST_CASE("The page in headless Chromium shows the stream's top ASN with its count and a chart with points",
          "[web][browser][integration]") {
  if (!asncounter::test::have_program("chromium"))
    ASNCOUNTER_SKIP("Debian's chromium package is not installed (scripts/bootstrap installs it)");
  asncounter::test::TempDir dir;
  REQUIRE(asncounter::test::write_text(
      dir / "asnames.json", nlohmann::json{{"64496", "DOC-A, ZZ"}, {"64497", kHostileName}}.dump()));
  int port = asncounter::test::free_tcp_port();
  DaemonFixture::Setup setup;
  setup.asnames = false;
  setup.extra_args = {"--metrics-listen", "127.0.0.1:" + std::to_string(port), "--asnames",
                      (dir / "asnames.json").string(), "--history-step", "1",
                      // A rule in dry-run: the page shows what it would block.
                      "--mitigate", "asn hits over 10s above 40 ban 10m"};
  DaemonFixture d(setup);
  // A stream at a known pace: each 250 ms, 5 hits of 64496, 2 of 64497 and 1
  // of 64498, for 3 s: 60, 24 and 12 hits.
  for (int tick = 0; tick < 12; ++tick) {
    d.write_fifo(
        "192.0.2.7\n192.0.2.8\n192.0.2.9\n192.0.2.10\n192.0.2.11\n198.51.100.1\n198.51.100.2\n203.0.113.1\n");
    std::this_thread::sleep_for(250ms);
  }
  REQUIRE(d.wait_for_hits(96) == 96);
  std::this_thread::sleep_for(1500ms);  // the last hits' step closes: the chart has them
  REQUIRE(asncounter::test::eventually(
      [&] { return nlohmann::json::parse(d.ctl("--json decisions").out)["active"].size() == 1; }, 10s));

  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/";
  auto dom = run_command(chromium_command((dir / "profile").string()) + "--dump-dom " + url + " 2>/dev/null");
  INFO(dom.out.substr(0, 4000));
  REQUIRE(dom.status == 0);
  // The first row of the top table, after the first refresh.
  std::smatch row;
  REQUIRE(std::regex_search(dom.out, row, std::regex(R"re(<tbody><tr data-asn="(\d+)"[^>]*>(.*?)</tr>)re")));
  CHECK(row[1] == "64496");
  std::smatch count;
  std::string first = row[2];
  REQUIRE(std::regex_search(first, count, std::regex(R"re(<td class="count">([0-9,]+)</td>)re")));
  CHECK(count[1] == "60");
  // The stacked chart has areas with points.
  std::smatch area;
  REQUIRE(std::regex_search(dom.out, area, std::regex(R"re(class="area" data-points="(\d+)")re")));
  CHECK(std::stoi(area[1]) >= 1);
  // The hostile name is text in its cell: escaped in the serialised DOM, no element made of it.
  CHECK(dom.out.find("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;, ZZ") !=
        std::string::npos);
  CHECK(dom.out.find("<img src=\"x\"") == std::string::npos);
  CHECK(dom.out.find("id=\"message\">Cannot read the daemon") == std::string::npos);
  // The blocks: shown, with the ban the rule would make.
  CHECK(dom.out.find("<section id=\"blocks\" hidden") == std::string::npos);
  std::smatch block;
  REQUIRE(std::regex_search(
      dom.out, block,
      std::regex(
          R"re(<tr data-state="active"><td class="target">([^<]*)</td><td class="state">([^<]*)</td>)re")));
  CHECK(block[1] == "AS64496");
  CHECK(block[2] == "would ban");

  fs::path shot = output_dir() / "web-page.png";
  fs::remove(shot);
  auto s = run_command("cd " + asncounter::test::quote(dir.path().string()) + " && " +
                       chromium_command((dir / "profile2").string()) + "--screenshot=" +
                       asncounter::test::quote(shot.string()) + " " + url + " >/dev/null 2>&1");
  CHECK(s.status == 0);
  CHECK(fs::exists(shot));
  CHECK(fs::file_size(shot) > 10000);
  WARN("screenshot: " << shot.string());
}

TEST_CASE("The page says so when nothing is counted yet", "[web][browser][integration]") {
  if (!asncounter::test::have_program("chromium"))
    ASNCOUNTER_SKIP("Debian's chromium package is not installed (scripts/bootstrap installs it)");
  asncounter::test::TempDir dir;
  int port = asncounter::test::free_tcp_port();
  DaemonFixture::Setup setup;
  setup.extra_args = {"--metrics-listen", "127.0.0.1:" + std::to_string(port)};
  DaemonFixture d(setup);
  auto dom = run_command(chromium_command((dir / "profile").string()) +
                         "--dump-dom http://127.0.0.1:" + std::to_string(port) + "/ 2>/dev/null");
  INFO(dom.out.substr(0, 4000));
  REQUIRE(dom.status == 0);
  CHECK(dom.out.find("Nothing counted in this window yet.") != std::string::npos);
  // No mitigation configured: no blocks section.
  CHECK(dom.out.find("<section id=\"blocks\" hidden") != std::string::npos);
  CHECK(dom.out.find("id=\"message\">Cannot read the daemon") == std::string::npos);
}
