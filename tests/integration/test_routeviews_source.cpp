// The RouteViews source and its refresher against a real HTTP server on 127.0.0.1 serving a folder laid
// out like the RouteViews archive, filled with dumps our MRT writer made.
#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>

#include "daemon/refresh/routeviews_source.hpp"
#include "daemon/refresh/table_refresher.hpp"
#include "tests/support/local_http_server.hpp"
#include "tests/support/test_support.hpp"
#include "tests/tools/mrt_writer.hpp"

namespace fs = std::filesystem;
using asncounter::LpmTable;
using asncounter::RefreshOutcome;
using asncounter::RefreshSettings;
using asncounter::RouteViewsConfig;
using asncounter::RouteViewsSource;
using asncounter::TableRefresher;
using asncounter::test::LocalHttpServer;
using asncounter::test::TempDir;

namespace {

constexpr std::int64_t kNov1 = 1793494800;  // 2026-11-01T01:00:00Z: early in a month

// A dump whose /32s in the documentation ranges all originate from `asn`.
void write_rib(const fs::path& path, std::uint32_t asn, int hosts_per_range) {
  asncounter::test::MrtWriter w(1793480400);
  w.peer_index_table(1);
  for (const char* range : {"192.0.2.", "198.51.100.", "203.0.113."})
    for (int i = 0; i < hosts_per_range; ++i) {
      auto p = asncounter::parse_prefix(std::string(range) + std::to_string(i) + "/32");
      w.rib(*p, {asncounter::test::path_entry({64500, asn})});
    }
  fs::create_directories(path.parent_path());
  asncounter::test::write_packed(path.string(), w.bytes(), asncounter::test::Packing::bzip2);
}

// The refresher wired to a table slot, as the daemon wires it to the store.
struct Harness {
  Harness(const std::string& base, const fs::path& cache, std::int64_t now,
          const std::string& names_url = "") {
    fs::create_directories(cache);
    RouteViewsConfig c;
    c.rib_url = base;
    c.asnames_url = names_url;
    c.cache_dir = cache.string();
    c.limits.connect_timeout_s = 2;
    c.limits.total_timeout_s = 3;
    c.limits.stall_timeout_s = 2;
    c.now = [this] { return clock; };
    clock = now;
    auto source = std::make_unique<RouteViewsSource>(c, [this](std::shared_ptr<const asncounter::AsNames> n) {
      std::lock_guard lock(mutex);
      names = std::move(n);
    });
    RefreshSettings settings;
    settings.interval = std::chrono::seconds(86400);
    settings.now = c.now;
    refresher = std::make_unique<TableRefresher>(
        std::move(source), settings, [this] { return table(); },
        [this](std::shared_ptr<const LpmTable> t) {
          std::lock_guard lock(mutex);
          current = std::move(t);
          ++publishes;
        });
  }
  std::shared_ptr<const LpmTable> table() {
    std::lock_guard lock(mutex);
    return current;
  }
  std::uint32_t origin(const char* ip) {
    auto id = table()->lookup_id(*asncounter::parse_address(ip));
    return id ? table()->asn(id) : 0;
  }
  std::mutex mutex;
  std::shared_ptr<const LpmTable> current = LpmTable::empty();
  std::shared_ptr<const asncounter::AsNames> names;
  int publishes = 0;
  std::int64_t clock = 0;
  std::unique_ptr<TableRefresher> refresher;
};

}  // namespace

TEST_CASE("The refresher finds the newest dump across a month boundary, caches it, then swaps a newer one",
          "[refresh][integration]") {
  TempDir root;
  fs::path archive = root / "archive";
  write_rib(archive / "2026.10/RIBS/rib.20261031.1600.bz2", 64496, 10);
  write_rib(archive / "2026.10/RIBS/rib.20261031.1800.bz2", 64497, 200);
  fs::create_directories(archive / "2026.11/RIBS");  // the new month: nothing yet
  LocalHttpServer server(archive);
  std::string base = server.url();
  Harness h(base, root / "cache", kNov1);

  auto first = h.refresher->refresh_once();
  REQUIRE(first.ok());
  CHECK(first->outcome == RefreshOutcome::loaded);
  CHECK(first->message.find("rib.20261031.1800.bz2") != std::string::npos);
  CHECK(h.origin("192.0.2.7") == 64497);
  CHECK(h.table()->prefix_count() == 600);
  CHECK(h.table()->info().source == base + "/2026.10/RIBS/rib.20261031.1800.bz2");
  CHECK(fs::exists(root / "cache/rib.20261031.1800.bz2"));

  auto again = h.refresher->refresh_once();
  REQUIRE(again.ok());
  CHECK(again->outcome == RefreshOutcome::up_to_date);
  CHECK(h.publishes == 1);

  write_rib(archive / "2026.11/RIBS/rib.20261101.0000.bz2", 64498, 200);
  h.clock = kNov1 + 3600;
  auto newer = h.refresher->refresh_once();
  REQUIRE(newer.ok());
  CHECK(h.origin("192.0.2.7") == 64498);
  CHECK(h.publishes == 2);
  auto status = h.refresher->status();
  CHECK(status.successes == 2);
  CHECK(status.unchanged == 1);
  CHECK(status.failures == 0);
  CHECK(
      RouteViewsSource::newest_cached((root / "cache").string()).value().ends_with("rib.20261101.0000.bz2"));
}

TEST_CASE("Every failure keeps the table in force and is counted with its reason", "[refresh][integration]") {
  TempDir root;
  fs::path archive = root / "archive";
  write_rib(archive / "2026.11/RIBS/rib.20261101.0000.bz2", 64496, 200);
  LocalHttpServer server(archive);
  std::string base = server.url();
  Harness h(base, root / "cache", kNov1);
  REQUIRE(h.refresher->refresh_once().ok());
  REQUIRE(h.origin("192.0.2.7") == 64496);

  auto expect_failure = [&](const std::string& why_contains) {
    auto r = h.refresher->refresh_once();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().find(why_contains) != std::string::npos);
    CHECK(h.origin("192.0.2.7") == 64496);  // the good table stays
    CHECK(h.publishes == 1);
    CHECK(h.refresher->status().failures == 1);
  };
  auto publish_next = [&](const std::string& name, const std::string& content) {
    std::ofstream(archive / "2026.11/RIBS" / name, std::ios::binary) << content;
    h.clock += 3600;
  };

  SECTION("a garbage file") {
    publish_next("rib.20261101.0200.bz2", "this is not a bzip2 file at all\n");
    expect_failure("bad dump");
    CHECK_FALSE(fs::exists(root / "cache/rib.20261101.0200.bz2"));  // never cached
  }
  SECTION("a truncated download (our own dump, cut short)") {
    fs::path dump = archive / "2026.11/RIBS/rib.20261101.0400.bz2";
    write_rib(dump, 64499, 200);
    fs::resize_file(dump, fs::file_size(dump) / 2);
    h.clock += 3600;
    expect_failure("truncated");
  }
  SECTION("an implausibly small dump") {
    write_rib(archive / "2026.11/RIBS/rib.20261101.0600.bz2", 64499, 3);
    expect_failure("implausibly small");
  }
  SECTION("a 404 for the listing") {
    h.refresher.reset();
    Harness h404(base + "/no/such/collector", root / "cache404", kNov1);
    auto r = h404.refresher->refresh_once();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().find("404") != std::string::npos);
    CHECK(h404.refresher->status().failures == 1);
  }
  SECTION("a server that stalls") {
    LocalHttpServer staller(archive, LocalHttpServer::Mode::stall);
    Harness stalled(staller.url(), root / "cache2", kNov1);
    auto r = stalled.refresher->refresh_once();
    REQUIRE_FALSE(r.ok());
    CHECK(stalled.refresher->status().last == RefreshOutcome::failed);
  }
  SECTION("a server that is down") {
    server.stop();
    h.clock += 3600;
    expect_failure("listing");
  }
}

// Its own test case: without the shared data it is skipped, and the
// failures above still run.
TEST_CASE("A truncated download of the real cut-off RouteViews dump keeps the table",
          "[refresh][integration]") {
  auto cut = asncounter::test::shared_data("rib.20140523.0600_firstMB.bz2");
  if (!cut) ASNCOUNTER_SKIP(asncounter::test::missing_data_message("rib.20140523.0600_firstMB.bz2"));
  TempDir root;
  fs::path archive = root / "archive";
  write_rib(archive / "2026.11/RIBS/rib.20261101.0000.bz2", 64496, 200);
  LocalHttpServer server(archive);
  Harness h(server.url(), root / "cache", kNov1);
  REQUIRE(h.refresher->refresh_once().ok());
  fs::copy_file(*cut, archive / "2026.11/RIBS/rib.20261101.0400.bz2");
  h.clock += 3600;
  auto r = h.refresher->refresh_once();
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().find("truncated") != std::string::npos);
  CHECK(h.origin("192.0.2.7") == 64496);
  CHECK(h.publishes == 1);
  CHECK(h.refresher->status().failures == 1);
}

TEST_CASE("AS names are refreshed from their URL, and a bad names file keeps the old ones",
          "[refresh][integration]") {
  TempDir root;
  fs::path archive = root / "archive";
  write_rib(archive / "2026.11/RIBS/rib.20261101.0000.bz2", 64496, 200);
  std::ofstream(archive / "asnames.json") << R"({"64496": "DOC-NET, ZZ", "64497": "OTHER, ZZ"})";
  std::ofstream(archive / "autnums.html") << "<html>nothing that looks like an AS line</html>\n";
  LocalHttpServer server(archive);
  std::string base = server.url();

  Harness good(base, root / "cache", kNov1, base + "/asnames.json");
  REQUIRE(good.refresher->refresh_once().ok());
  REQUIRE(good.names);
  CHECK(good.names->name(64496) == "DOC-NET, ZZ");
  CHECK(good.names->size() == 2);

  Harness bad(base, root / "cache-bad", kNov1, base + "/autnums.html");
  REQUIRE(bad.refresher->refresh_once().ok());  // the table still loads
  CHECK_FALSE(bad.names);                       // no empty names list replaces anything
}

TEST_CASE("A refresh that finds no dump names every folder it listed and why", "[refresh][integration]") {
  TempDir root;
  fs::path archive = root / "archive";
  fs::create_directories(archive / "2026.11/RIBS");  // this month: listed, empty; last month: missing
  LocalHttpServer server(archive);
  std::string base = server.url();
  Harness h(base, root / "cache", kNov1);
  auto r = h.refresher->refresh_once();
  REQUIRE_FALSE(r.ok());
  INFO(r.error());
  CHECK(r.error().find(base + "/2026.11/RIBS/: no rib.*.bz2 listed") != std::string::npos);
  CHECK(r.error().find(base + "/2026.10/RIBS/: HTTP status 404") != std::string::npos);
  // Both missing: both 404s, this month's first.
  Harness none(base + "/no/such/collector", root / "cache2", kNov1);
  auto both = none.refresher->refresh_once();
  REQUIRE_FALSE(both.ok());
  INFO(both.error());
  auto first = both.error().find(base + "/no/such/collector/2026.11/RIBS/: HTTP status 404");
  auto second = both.error().find(base + "/no/such/collector/2026.10/RIBS/: HTTP status 404");
  CHECK(first != std::string::npos);
  CHECK(second != std::string::npos);
  CHECK(first < second);
  CHECK(h.refresher->status().message == r.error());  // what stats shows
}
