// What the daemon says about itself: metrics after a refresh, the messages of
// a one-shot capture replay, of a reset and of a clean stop.
#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "common/ip.hpp"
#include "daemon/input/capture/packet_decoder.hpp"
#include "daemon/refresh/archive_index.hpp"
#include "daemon/refresh/http_fetch.hpp"
#include "tests/integration/daemon_fixture.hpp"
#include "tests/support/local_http_server.hpp"
#include "tests/support/polling.hpp"
#include "tests/tools/mrt_writer.hpp"
#include "tests/tools/pcap_writer.hpp"

namespace fs = std::filesystem;
using asncounter::test::DaemonFixture;
using asncounter::test::eventually;
using asncounter::test::quote;
using asncounter::test::run_command;

namespace {

nlohmann::json ctl_json(const DaemonFixture& d, const std::string& args) {
  auto r = d.ctl("--json " + args);
  REQUIRE(r.status == 0);
  return nlohmann::json::parse(r.out);
}

std::string scrape(int port) {
  asncounter::FetchLimits limits;
  limits.total_timeout_s = 10;
  auto body = asncounter::fetch_to_string("http://127.0.0.1:" + std::to_string(port) + "/metrics", limits);
  REQUIRE(body.ok());
  return *body;
}

// The value of an unlabelled series, or -1 when the scrape has none.
double series(const std::string& text, const std::string& name) {
  auto at = text.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + name.size() + 2));
}

}  // namespace

TEST_CASE("A good refresh shows refresh_last_success_timestamp_seconds, from a mirror and from --db",
          "[daemon][metrics][refresh]") {
  asncounter::test::TempDir archive;
  const std::int64_t before = std::time(nullptr);
  fs::path month = asncounter::rib_month_url(archive.path().string(), before);
  asncounter::test::MrtWriter w(static_cast<std::uint32_t>(before));
  w.peer_index_table(1);
  for (const char* p : {"192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32"})
    w.rib(*asncounter::parse_prefix(p), {asncounter::test::path_entry({64502, 64510})});
  fs::create_directories(month);
  asncounter::test::write_packed((month / "rib.20261125.0000.bz2").string(), w.bytes(),
                                 asncounter::test::Packing::bzip2);
  asncounter::test::LocalHttpServer server(archive.path());

  SECTION("a RouteViews mirror") {
    int port = asncounter::test::free_tcp_port();
    DaemonFixture::Setup setup;
    setup.extra_args = {"--rib-url", server.url(), "--metrics-listen", "127.0.0.1:" + std::to_string(port)};
    DaemonFixture d(setup);
    REQUIRE(eventually([&] { return ctl_json(d, "stats")["refresh"]["ok"].get<int>() >= 1; }));
    auto text = scrape(port);
    INFO(text);
    CHECK(series(text, "asncounter_refresh_successes_total") == 1);
    CHECK(series(text, "asncounter_refresh_last_success_timestamp_seconds") >= static_cast<double>(before));
    CHECK(series(text, "asncounter_refresh_last_success_timestamp_seconds") <=
          static_cast<double>(std::time(nullptr)));
  }
  SECTION("the --db file, refreshed by asncounterctl refresh") {
    int port = asncounter::test::free_tcp_port();
    DaemonFixture::Setup setup;
    setup.extra_args = {"--metrics-listen", "127.0.0.1:" + std::to_string(port)};
    DaemonFixture d(setup);
    CHECK(series(scrape(port), "asncounter_refresh_last_success_timestamp_seconds") == -1);  // none yet
    REQUIRE(d.ctl("refresh").status == 0);
    REQUIRE(eventually([&] { return ctl_json(d, "stats")["refresh"]["ok"].get<int>() >= 1; }));
    auto text = scrape(port);
    INFO(text);
    CHECK(series(text, "asncounter_refresh_last_success_timestamp_seconds") >= static_cast<double>(before));
  }
}

TEST_CASE("ARP frames in a replayed capture are frames without an IP address, not rejected lines",
          "[daemon][once][pcap]") {
  DaemonFixture d;
  auto path = (d.dir() / "mixed.pcap").string();
  {
    namespace lt = asncounter::linktype;
    asncounter::test::PcapWriter pcap(path, lt::ethernet);
    auto a = [](const char* t) { return *asncounter::parse_address(t); };
    pcap.write(asncounter::test::frame(lt::ethernet,
                                       asncounter::test::udp_packet(a("192.0.2.1"), a("198.51.100.1"), 10)));
    asncounter::test::FrameOptions arp;
    arp.ethertype = 0x0806;
    for (int i = 0; i < 2; ++i)
      pcap.write(asncounter::test::frame(lt::ethernet,
                                         asncounter::test::arp_request(a("192.0.2.1"), a("192.0.2.2")), arp));
    pcap.close();
  }
  auto r = run_command(std::string(ASNCOUNTERD_BIN) + " --once --db " + quote(d.db().string()) +
                       " --input pcap-file:" + quote(path) + " 2>&1 >/dev/null");
  INFO(r.out);
  CHECK(r.status == 0);
  CHECK(r.out.find("pcap-file:" + path + ": 2 frames without an IP address") != std::string::npos);
  CHECK(r.out.find("rejected") == std::string::npos);
}

TEST_CASE("A reset says the per-input counters are kept, and keeps them", "[daemon][reset]") {
  DaemonFixture d;
  d.write_fifo("192.0.2.1\n192.0.2.1\nnot an address\n");
  REQUIRE(d.wait_for_hits(2) == 2);
  auto r = d.ctl("reset --yes");
  CHECK(r.status == 0);
  CHECK(r.out == "counts reset (per-input counters are kept: they count since the daemon started)\n");
  auto answer = ctl_json(d, "reset --yes");
  CHECK(answer["reset"] == true);
  CHECK(answer["kept"].get<std::string>().find("per-input counters") != std::string::npos);
  auto stats = ctl_json(d, "stats");
  CHECK(stats["totals"]["hits"] == 0);
  CHECK(stats["inputs"][0]["events"] == 2);
  CHECK(stats["inputs"][0]["rejected"] == 1);
}

TEST_CASE("reset --keep-history zeroes since start and keeps the incident's windows", "[daemon][reset]") {
  DaemonFixture d;
  d.write_fifo("192.0.2.1\n192.0.2.1\n198.51.100.1\n");
  REQUIRE(d.wait_for_hits(3) == 3);
  // ASN -> count; the rates move with the clock, the counts must not.
  auto counts = [](const nlohmann::json& top) {
    std::map<std::uint64_t, std::uint64_t> m;
    for (const auto& row : top.at("rows")) m[row.at("asn").get<std::uint64_t>()] = row.at("count");
    return m;
  };
  const auto window_before = ctl_json(d, "top --window 3600");
  REQUIRE(window_before["total"] == 3);
  auto r = d.ctl("reset --keep-history --yes");
  INFO(r.out);
  CHECK(r.status == 0);
  CHECK(r.out ==
        "since-start counts reset, the windows kept (per-input counters are kept: they count since the "
        "daemon started)\n");
  CHECK(ctl_json(d, "top")["total"] == 0);
  const auto window_after = ctl_json(d, "top --window 3600");
  CHECK(window_after["total"] == 3);
  CHECK(counts(window_after) == counts(window_before));
  // Without the flag the windows go too.
  CHECK(d.ctl("reset --yes").status == 0);
  CHECK(ctl_json(d, "top --window 3600")["total"] == 0);
  CHECK(d.ctl("reset --keep-histroy --yes").status == 2);
}

TEST_CASE("A clean stop logs that the counts were saved, and where", "[daemon][persistence]") {
  DaemonFixture d;
  d.write_fifo("192.0.2.1\n198.51.100.1\n");
  REQUIRE(d.wait_for_hits(2) == 2);
  REQUIRE(d.stop(SIGTERM) == 0);
  auto log = d.log();
  INFO(log);
  CHECK(log.find("counts saved to " + (d.dir() / "state").string()) != std::string::npos);
  CHECK(log.find("(2 rows), history to " + (d.dir() / "state" / "history.state").string() + " (") !=
        std::string::npos);
}
