// The YYYYMMDD.HHMM stamp of dump file names: one parser for RouteViews
// archive names and pyasn's "Original file" comment.
#include <catch2/catch.hpp>

#include <fstream>
#include <utility>

#include "common/dump_stamp.hpp"
#include "common/table/ipasn.hpp"
#include "daemon/refresh/archive_index.hpp"
#include "tests/support/test_support.hpp"

using asncounter::dump_stamp_time;
using asncounter::looks_like_dump_stamp;

TEST_CASE("A dump stamp gives its time in UTC", "[dump_stamp]") {
  const std::pair<const char*, std::int64_t> cases[] = {
      {"19700101.0000", 0}, {"20001231.2359", 978307140}, {"20240229.2359", 1709251140}};
  for (const auto& [stamp, unix_time] : cases) {
    INFO(stamp);
    CHECK(dump_stamp_time(stamp) == unix_time);
  }
}

TEST_CASE("A dump stamp names a real day and time, or none", "[dump_stamp]") {
  for (const char* bad : {"20140230.0000",   // Feb 30
                          "20230229.0000",   // Feb 29 of a common year
                          "21000229.0000",   // 2100 is not a leap year
                          "20140431.0000",   // Apr 31
                          "20140100.0000",   // day 0
                          "20140001.0000",   // month 0
                          "20141301.0000",   // month 13
                          "20140101.2400",   // hour 24
                          "20140101.0060"})  // minute 60
  {
    INFO(bad);
    CHECK(looks_like_dump_stamp(bad));
    CHECK_FALSE(dump_stamp_time(bad));
  }
  CHECK(dump_stamp_time("20000229.0000"));  // 2000 is a leap year
}

TEST_CASE("Only digits in the YYYYMMDD.HHMM shape are a dump stamp", "[dump_stamp]") {
  for (const char* bad : {"", "2014052.0600", "201405230.0600", "20140523-0600", "2014O523.0600",
                          "+0140523.0600", "20140523.060 "}) {
    INFO(bad);
    CHECK_FALSE(looks_like_dump_stamp(bad));
    CHECK_FALSE(dump_stamp_time(bad));
  }
}

TEST_CASE("RIB names and pyasn comments reject Feb 30 alike", "[dump_stamp]") {
  CHECK_FALSE(asncounter::rib_time("rib.20140230.0600.bz2"));
  CHECK(asncounter::rib_time("rib.20140228.0600.bz2") == 1393567200);
  asncounter::test::TempDir dir;
  auto dump_time = [&](const std::string& comment) {
    std::ofstream(dir / "t.dat", std::ios::binary) << comment << "\n1.0.0.0/24\t13335\n";
    auto set = asncounter::read_ipasn_file((dir / "t.dat").string());
    REQUIRE(set);
    return set->info.dump_time;
  };
  CHECK(dump_time("; Original file : rib.20140230.0600.bz2") == 0);
  CHECK(dump_time("; Original file : rib.20140228.0600.bz2") == 1393567200);
}
