// The input kinds' rows (daemon/input/input_factory.cpp): what each kind is
// and what its pre-start check says, asked by spec as stats, metrics,
// --check-config and the mitigation do, never by reading the scheme.
#include <catch2/catch.hpp>

#include <pcap/pcap.h>

#include <string>

#include "daemon/input/input.hpp"
#include "tests/support/test_support.hpp"

using asncounter::check_input;
using asncounter::filter_link_type;
using asncounter::input_traits;
using asncounter::InputCheckContext;

TEST_CASE("Input kinds: each row says what its inputs are", "[input]") {
  for (const char* spec : {"-", "stdin", "file:/var/log/x.log", "fifo:/run/x"}) {
    INFO(spec);
    const auto t = input_traits(spec);
    CHECK_FALSE(t.frames);
    CHECK_FALSE(t.flows);
    CHECK_FALSE(t.lossy);  // a file or a FIFO loses nothing
    CHECK(filter_link_type(spec) == -1);
  }
  CHECK(input_traits("pcap:eth0").frames);
  CHECK(input_traits("pcap:eth0").lossy);
  CHECK_FALSE(input_traits("pcap:eth0").flows);
  CHECK(input_traits("pcap-file:/tmp/x.pcap").frames);
  CHECK_FALSE(input_traits("pcap-file:/tmp/x.pcap").lossy);  // a replay reads every record
  for (const char* spec : {"sflow:127.0.0.1:6343", "netflow:[::1]:2055"}) {
    INFO(spec);
    CHECK(input_traits(spec).flows);
    CHECK(input_traits(spec).lossy);
    CHECK_FALSE(input_traits(spec).frames);
  }
  // Not a kind: nothing, rather than a guess from the first letters.
  CHECK_FALSE(input_traits("pcapng:eth0").frames);
  CHECK_FALSE(input_traits("sflowx:1").flows);
  CHECK_FALSE(input_traits("file:").frames);  // a scheme that takes an argument needs one
}

TEST_CASE("Input kinds: a filter is compiled for the link type the capture has", "[input]") {
  CHECK(filter_link_type("pcap:eth0") == DLT_EN10MB);
  CHECK(filter_link_type("pcap:any") == DLT_LINUX_SLL);
  // A file that cannot be opened is the check's to report; the filter then
  // compiles for Ethernet, as for an interface.
  CHECK(filter_link_type("pcap-file:/nonexistent/x.pcap") == DLT_EN10MB);
}

TEST_CASE("Input kinds: the pre-start check of each row, and of no row", "[input]") {
  asncounter::test::TempDir dir;
  const InputCheckContext context{false};
  CHECK(check_input("-", context).empty());
  CHECK(check_input("fifo:" + (dir / "log").string(), context).empty());
  auto missing_dir = check_input("fifo:" + (dir / "no" / "log").string(), context);
  REQUIRE(missing_dir.size() == 1);
  CHECK_THAT(missing_dir[0], Catch::Contains("does not exist"));
  auto unreadable = check_input("pcap-file:" + (dir / "none.pcap").string(), context);
  REQUIRE(unreadable.size() == 1);
  CHECK_THAT(unreadable[0], Catch::Contains("cannot read"));
  auto not_endpoint = check_input("netflow:nowhere", context);
  REQUIRE(not_endpoint.size() == 1);
  CHECK_THAT(not_endpoint[0], Catch::Contains("not ADDR:PORT"));
  auto unknown = check_input("gopher:x", context);
  REQUIRE(unknown.size() == 1);
  CHECK_THAT(unknown[0], Catch::StartsWith("unknown input 'gopher:x'"));
}
