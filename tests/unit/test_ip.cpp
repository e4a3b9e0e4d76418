#include <catch2/catch.hpp>

#include "common/ip.hpp"

using asncounter::Address;
using asncounter::parse_address;
using asncounter::parse_prefix;
using asncounter::to_string;

TEST_CASE("IPv4 addresses parse strictly and print back", "[ip]") {
  auto a = parse_address("192.0.2.1");
  REQUIRE(a);
  CHECK(a->is_v4());
  CHECK(a->v4 == 0xC0000201U);
  CHECK(to_string(*a) == "192.0.2.1");
  CHECK(to_string(*parse_address("0.0.0.0")) == "0.0.0.0");
  CHECK(to_string(*parse_address("255.255.255.255")) == "255.255.255.255");
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4 ", "a.b.c.d", "1..2.3",
                          "1.2.3.", "1234.1.1.1", "-1.2.3.4"}) {
    INFO(bad);
    CHECK_FALSE(parse_address(bad));
  }
}

TEST_CASE("IPv6 addresses parse and print in RFC 5952 form", "[ip]") {
  struct Case {
    const char* in;
    const char* out;
  };
  for (auto c :
       {Case{"2001:db8::1", "2001:db8::1"}, Case{"2001:DB8:0:0:0:0:0:1", "2001:db8::1"}, Case{"::", "::"},
        Case{"::1", "::1"}, Case{"1::", "1::"}, Case{"2001:db8:0:1:0:0:0:1", "2001:db8:0:1::1"},
        Case{"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"}, Case{"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},
        Case{"2001:db8:1:2:3:4:5:0", "2001:db8:1:2:3:4:5:0"}, Case{"::ffff:192.0.2.1", "::ffff:c000:201"},
        Case{"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"}}) {
    INFO(c.in);
    auto a = parse_address(c.in);
    REQUIRE(a);
    CHECK_FALSE(a->is_v4());
    CHECK(to_string(*a) == c.out);
  }
  for (const char* bad : {":", ":::", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "g::", "1:2:3:4:5:6:7",
                          "::1:", "1:", ":1", "::1.2.3", "1.2.3.4::", "::ffff:1.2.3.4:5"}) {
    INFO(bad);
    CHECK_FALSE(parse_address(bad));
  }
}

TEST_CASE("IPv4-mapped IPv6 unmaps to IPv4, others stay", "[ip]") {
  auto mapped = asncounter::unmap_v4(*parse_address("::ffff:192.0.2.1"));
  CHECK(mapped == *parse_address("192.0.2.1"));
  auto plain = *parse_address("2001:db8::1");
  CHECK(asncounter::unmap_v4(plain) == plain);
}

TEST_CASE("Prefixes parse, refuse host bits unless asked, and contain", "[ip]") {
  auto p = parse_prefix("192.0.2.0/24");
  REQUIRE(p);
  CHECK(to_string(*p) == "192.0.2.0/24");
  CHECK_FALSE(parse_prefix("192.0.2.1/24"));
  CHECK(to_string(*parse_prefix("192.0.2.1/24", true)) == "192.0.2.0/24");
  CHECK_FALSE(parse_prefix("192.0.2.0/33"));
  CHECK_FALSE(parse_prefix("192.0.2.0/"));
  CHECK_FALSE(parse_prefix("192.0.2.0"));
  CHECK(asncounter::contains(*p, *parse_address("192.0.2.200")));
  CHECK_FALSE(asncounter::contains(*p, *parse_address("192.0.3.1")));
  auto p6 = parse_prefix("2001:db8:8000::/33");
  REQUIRE(p6);
  CHECK(to_string(*p6) == "2001:db8:8000::/33");
  CHECK(asncounter::contains(*p6, *parse_address("2001:db8:ffff::1")));
  CHECK_FALSE(asncounter::contains(*p6, *parse_address("2001:db8:7fff::1")));
  CHECK(to_string(*parse_prefix("2001:db8::1/128")) == "2001:db8::1/128");
  CHECK(to_string(*parse_prefix("::/0")) == "::/0");
}
