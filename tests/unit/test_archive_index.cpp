#include <catch2/catch.hpp>

#include "daemon/refresh/archive_index.hpp"

using asncounter::parse_rib_listing;
using asncounter::rib_month_url;
using asncounter::rib_time;

TEST_CASE("RIB names give their dump time in UTC", "[refresh]") {
  CHECK(rib_time("rib.19700101.0000.bz2") == 0);
  CHECK(rib_time("rib.20140523.0600.bz2") == 1400824800);
  CHECK(rib_time("rib.20240229.2359.bz2") == 1709251140);  // a leap day
  for (const char* bad : {"rib.2014052.0600.bz2", "rib.20141323.0600.bz2", "rib.20140523.2460.bz2",
                          "rib.20140523.0600.gz", "updates.20140523.0600.bz2", "rib.2014O523.0600.bz2", ""}) {
    INFO(bad);
    CHECK_FALSE(rib_time(bad));
  }
}

TEST_CASE("An Apache-style listing yields its RIBs, oldest first, once each", "[refresh]") {
  const char* html = R"(<html><body><h1>Index of /route-views4/bgpdata/2026.11/RIBS</h1>
<a href="?C=N;O=D">Name</a>
<a href="rib.20261125.1200.bz2">rib.20261125.1200.bz2</a> 25-Nov-2026 12:10  98M
<a href="rib.20261101.0000.bz2">rib.20261101.0000.bz2</a> 01-Nov-2026 00:10  97M
<a href="rib.20261125.0600.bz2">rib.20261125.0600.bz2</a> 25-Nov-2026 06:10  98M
<a href="updates.20261125.0600.bz2">updates.20261125.0600.bz2</a>
<a href="xrib.20261130.0000.bz2">not a rib</a>
</body></html>)";
  auto files = parse_rib_listing(html);
  REQUIRE(files.size() == 3);
  CHECK(files[0].name == "rib.20261101.0000.bz2");
  CHECK(files[1].name == "rib.20261125.0600.bz2");
  CHECK(files[2].name == "rib.20261125.1200.bz2");
  CHECK(parse_rib_listing("<html>nothing here</html>").empty());
  CHECK(parse_rib_listing("rib.2026").empty());
}

TEST_CASE("Month folders are computed in UTC, across year ends", "[refresh]") {
  const std::int64_t nov25 = 1795593600;  // 2026-11-25T08:00:00Z
  CHECK(rib_month_url("https://a.example/bgpdata", nov25) == "https://a.example/bgpdata/2026.11/RIBS/");
  CHECK(rib_month_url("https://a.example/bgpdata/", nov25, 1) == "https://a.example/bgpdata/2026.10/RIBS/");
  const std::int64_t jan1 = 1798761600;  // 2027-01-01T00:00:00Z
  CHECK(rib_month_url("http://127.0.0.1:8000", jan1) == "http://127.0.0.1:8000/2027.01/RIBS/");
  CHECK(rib_month_url("http://127.0.0.1:8000", jan1, 1) == "http://127.0.0.1:8000/2026.12/RIBS/");
}
