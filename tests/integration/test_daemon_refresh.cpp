// The real daemon refreshing its table from a real HTTP server on 127.0.0.1
// while a FIFO input keeps counting, scraped over real HTTP by the test.
#include <catch2/catch.hpp>

#include <atomic>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "daemon/refresh/archive_index.hpp"
#include "daemon/refresh/http_fetch.hpp"
#include "tests/integration/daemon_fixture.hpp"
#include "tests/support/local_http_server.hpp"
#include "tests/support/polling.hpp"
#include "tests/tools/mrt_writer.hpp"

namespace fs = std::filesystem;
using asncounter::test::DaemonFixture;
using asncounter::test::eventually;
using asncounter::test::LocalHttpServer;
using asncounter::test::TempDir;

namespace {

// Every documentation range of the fixture's table, now originated by `asn`.
void write_dump(const fs::path& path, std::uint32_t asn) {
  asncounter::test::MrtWriter w(static_cast<std::uint32_t>(std::time(nullptr)));
  w.peer_index_table(1);
  for (const char* p : {"192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32"})
    w.rib(*asncounter::parse_prefix(p), {asncounter::test::path_entry({64502, asn})});
  fs::create_directories(path.parent_path());
  asncounter::test::write_packed(path.string(), w.bytes(), asncounter::test::Packing::bzip2);
}

std::uint64_t asn_hits(const DaemonFixture& d, std::uint32_t asn) {
  auto r = d.ctl("--json top --limit 0");
  REQUIRE(r.status == 0);
  INFO(r.out);
  auto answer = nlohmann::json::parse(r.out);
  for (const auto& row : answer["rows"])
    if (!row["asn"].is_null() && row["asn"].get<std::uint32_t>() == asn)
      return row["count"].get<std::uint64_t>();
  return 0;
}

}  // namespace

TEST_CASE("The daemon swaps in a newer RouteViews dump while counting, losing and moving no hit",
          "[daemon][refresh][integration]") {
  TempDir archive;
  std::int64_t now = std::time(nullptr);
  // The month folders exist but hold no dump yet: the first refresh fails.
  std::string month = asncounter::rib_month_url(archive.path().string(), now);
  fs::create_directories(month);
  fs::create_directories(asncounter::rib_month_url(archive.path().string(), now, 1));
  LocalHttpServer server(archive.path());
  std::string base = server.url();
  int metrics_port = asncounter::test::free_tcp_port();

  DaemonFixture::Setup setup;
  setup.extra_args = {"--rib-url", base, "--metrics-listen", "127.0.0.1:" + std::to_string(metrics_port)};
  DaemonFixture d(setup);
  REQUIRE(eventually([&] { return d.stats()["refresh"]["failed"].get<int>() >= 1; }));
  CHECK(d.stats()["table"]["source"] == d.db().string());  // the --db table stays

  std::string line;
  for (int i = 0; i < 1000; ++i) line += "192.0.2.1\n";
  d.write_fifo(line);
  REQUIRE(d.wait_for_hits(1000) == 1000);
  CHECK(asn_hits(d, 64496) == 1000);

  // A writer keeps feeding the FIFO while the new dump is fetched and swapped.
  std::atomic<bool> writing{true};
  std::atomic<int> written{0};
  std::thread writer([&] {
    while (writing) {
      d.write_fifo("192.0.2.1\n192.0.2.1\n");
      written += 2;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  write_dump(fs::path(month) / "rib.20261125.0000.bz2", 64510);
  auto refresh = d.ctl("refresh");
  CHECK(refresh.status == 0);
  bool swapped = eventually(
      [&] { return d.stats()["table"]["source"].get<std::string>().ends_with("rib.20261125.0000.bz2"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  writing = false;
  writer.join();
  REQUIRE(swapped);
  d.write_fifo("192.0.2.1\n");
  std::uint64_t total = 1000 + static_cast<std::uint64_t>(written) + 1;
  REQUIRE(d.wait_for_hits(total) == total);
  // Nothing lost, nothing counted twice; past hits keep their old origin.
  CHECK(asn_hits(d, 64496) + asn_hits(d, 64510) == total);
  CHECK(asn_hits(d, 64496) >= 1000);
  CHECK(asn_hits(d, 64510) >= 1);
  auto s = d.stats();
  CHECK(s["refresh"]["ok"] == 1);

  // A garbage newer dump fails, is counted, and the good table stays.
  std::ofstream(fs::path(month) / "rib.20261125.0200.bz2") << "garbage, not bzip2\n";
  REQUIRE(d.ctl("refresh").status == 0);
  REQUIRE(eventually([&] { return d.stats()["refresh"]["failed"].get<int>() >= 2; }));
  CHECK(d.stats()["table"]["source"].get<std::string>().ends_with("rib.20261125.0000.bz2"));
  CHECK(d.stats()["refresh"]["last_outcome"].get<std::string>().find("bad dump") != std::string::npos);

  // The same story in Prometheus' words, over real HTTP.
  asncounter::FetchLimits limits;
  limits.total_timeout_s = 10;
  auto scrape =
      asncounter::fetch_to_string("http://127.0.0.1:" + std::to_string(metrics_port) + "/metrics", limits);
  REQUIRE(scrape.ok());
  CHECK(scrape->find("\nasncounter_hits_total " + std::to_string(total) + "\n") != std::string::npos);
  CHECK(scrape->find("\nasncounter_refresh_successes_total 1\n") != std::string::npos);
  CHECK(scrape->find("asncounter_refresh_failures_total") != std::string::npos);
  CHECK(scrape->find(R"(asncounter_asn_hits_total{asn="64510")") != std::string::npos);
  CHECK(scrape->find(R"(asncounter_rpc_requests_total{method="stats"})") != std::string::npos);
  CHECK(d.stop(SIGTERM) == 0);
}
