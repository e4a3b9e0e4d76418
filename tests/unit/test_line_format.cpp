#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "daemon/input/lines/line_format.hpp"
#include "tests/support/addresses.hpp"

using asncounter::Address;
using asncounter::LineEvent;
using asncounter::LineFormat;
using asncounter::LineOutcome;

namespace {

LineFormat format(const std::string& spec) {
  auto f = LineFormat::parse(spec);
  INFO(spec << ": " << (f ? "" : f.error()));
  REQUIRE(f.ok());
  return std::move(f).value();
}

using asncounter::test::addr;

// The address a line yields, or nothing when it is rejected or skipped.
std::optional<Address> source(const LineFormat& f, std::string_view line) {
  LineEvent ev;
  if (f.parse_line(line, ev) != LineOutcome::event) return std::nullopt;
  return ev.addr;
}

LineOutcome outcome(const LineFormat& f, std::string_view line) {
  LineEvent ev;
  return f.parse_line(line, ev);
}

}  // namespace

TEST_CASE("plain: one address per line, blanks and comments skipped", "[line_format]") {
  auto f = format("plain");
  CHECK(source(f, "192.0.2.1") == addr("192.0.2.1"));
  CHECK(source(f, "  \t192.0.2.1 \r") == addr("192.0.2.1"));
  CHECK(source(f, "2001:db8::1 # a comment") == addr("2001:db8::1"));
  CHECK(source(f, "[2001:db8::1]") == addr("2001:db8::1"));
  CHECK(source(f, "[2001:db8::1]:8443") == addr("2001:db8::1"));
  CHECK(source(f, "192.0.2.1:443") == addr("192.0.2.1"));
  CHECK(source(f, "\"198.51.100.7\"") == addr("198.51.100.7"));
  CHECK(source(f, "fe80::1%eth0") == addr("fe80::1"));
  // IPv4-mapped stays IPv6 here: unmapping is the table's job.
  CHECK(source(f, "::ffff:192.0.2.1") == addr("::ffff:192.0.2.1"));
  LineEvent ev;
  REQUIRE(f.parse_line("192.0.2.9", ev) == LineOutcome::event);
  CHECK(ev.hits == 1);
  CHECK(ev.bytes == 0);
  CHECK(ev.latency_us == LineEvent::kNoLatency);

  for (const char* blank : {"", "   ", "\t\r", "# only a comment", "   # indented comment"})
    CHECK(outcome(f, blank) == LineOutcome::skip);
  for (const char* bad :
       {"hello", "192.0.2", "192.0.2.256", "192.0.2.1 extra", "[2001:db8::1", "[2001:db8::1]x",
        "[2001:db8::1]:99999", "192.0.2.1:", "192.0.2.1:http", "2001:db8::1:443:", "::ffff:1.2.3", "[]",
        "\"\"", "fe80::1%", "192.0.2.1%eth0", "01.2.3.4"})
    CHECK(outcome(f, bad) == LineOutcome::reject);
}

TEST_CASE("tuple: an address and a count, in either order or as a Python tuple", "[line_format]") {
  auto f = format("tuple");
  LineEvent ev;
  REQUIRE(f.parse_line("192.0.2.1 42", ev) == LineOutcome::event);
  CHECK(ev.addr == addr("192.0.2.1"));
  CHECK(ev.hits == 42);
  REQUIRE(f.parse_line("   7 2001:db8::5", ev) == LineOutcome::event);  // uniq -c
  CHECK(ev.addr == addr("2001:db8::5"));
  CHECK(ev.hits == 7);
  REQUIRE(f.parse_line("('198.51.100.2', 3)", ev) == LineOutcome::event);
  CHECK(ev.addr == addr("198.51.100.2"));
  CHECK(ev.hits == 3);
  REQUIRE(f.parse_line("[2001:db8::1]:443,4294967295", ev) == LineOutcome::event);
  CHECK(ev.hits == 4294967295U);
  CHECK(outcome(f, "# nothing") == LineOutcome::skip);
  for (const char* bad : {"192.0.2.1", "192.0.2.1 0", "192.0.2.1 4294967296", "192.0.2.1 -3", "192.0.2.1 3 4",
                          "3 4", "x 3", "192.0.2.1 192.0.2.2", "192.0.2.1 1e3"})
    CHECK(outcome(f, bad) == LineOutcome::reject);
}

TEST_CASE("field:N picks the N-th blank-separated field, with bytes and latency", "[line_format]") {
  // nginx's combined format, then $request_time appended.
  std::string line =
      "203.0.113.9 - - [10/Oct/2024:13:55:36 +0000] \"GET /a HTTP/1.1\" 200 5120 \"-\" \"curl/8\" 0.123";
  auto f = format("field:1,bytes:10,latency:13");
  CHECK(f.has_bytes());
  CHECK(f.has_latency());
  LineEvent ev;
  REQUIRE(f.parse_line(line, ev) == LineOutcome::event);
  CHECK(ev.addr == addr("203.0.113.9"));
  CHECK(ev.bytes == 5120);
  CHECK(ev.latency_us == 123000);

  auto g = format("field:3");
  CHECK(source(g, "a\tb  [2001:db8::7]:80 d") == addr("2001:db8::7"));
  CHECK(outcome(g, "a b") == LineOutcome::reject);
  CHECK(outcome(g, "   ") == LineOutcome::skip);
  // A missing or odd size or time keeps the hit (the line has an address).
  REQUIRE(f.parse_line("192.0.2.1 x", ev) == LineOutcome::event);
  CHECK(ev.bytes == 0);
  CHECK(ev.latency_us == LineEvent::kNoLatency);
  auto h = format("field:2,latency:1,bytes:3");
  REQUIRE(h.parse_line("2.5 192.0.2.1 -", ev) == LineOutcome::event);
  CHECK(ev.latency_us == 2500000);
  CHECK(ev.bytes == 0);
}

TEST_CASE("size and request-time fields as logs write them", "[line_format]") {
  using asncounter::parse_bytes_field;
  using asncounter::parse_latency_field;
  CHECK(parse_bytes_field("0") == 0U);
  CHECK(parse_bytes_field("-") == 0U);
  CHECK(parse_bytes_field("18446744073709551") == 18446744073709551ULL);
  CHECK_FALSE(parse_bytes_field("12k"));
  CHECK_FALSE(parse_bytes_field(""));
  CHECK(parse_latency_field("0.123") == 123000U);
  CHECK(parse_latency_field("0.000") == 0U);
  CHECK(parse_latency_field("1") == 1000000U);
  CHECK(parse_latency_field("1.5") == 1500000U);
  CHECK(parse_latency_field("0.1234567") == 123456U);  // beyond microseconds: truncated
  CHECK(parse_latency_field("0.250,") == 250000U);     // $upstream_response_time lists
  CHECK(parse_latency_field(".5") == 500000U);
  CHECK_FALSE(parse_latency_field("-"));
  CHECK_FALSE(parse_latency_field("."));
  CHECK_FALSE(parse_latency_field("1.2.3"));
  CHECK_FALSE(parse_latency_field("5000"));  // beyond the 32-bit microsecond range
}

TEST_CASE("tcpdump: the source of what tcpdump -n and -n -q print", "[line_format]") {
  auto f = format("tcpdump");
  // Captured from tcpdump 4.99.3 on lo (-n -q, -n, -i any, -e, -tttt), with
  // documentation addresses substituted for 127.0.0.1 in some.
  struct Case {
    const char* line;
    const char* src;
  };
  for (
      auto c : {
          Case{"20:04:29.826382 IP 127.0.0.1.36487 > 127.0.0.1.5353: UDP, length 5", "127.0.0.1"},
          Case{
              "20:04:29.826814 IP 127.0.0.1 > 127.0.0.1: ICMP 127.0.0.1 udp port 5353 unreachable, length 41",
              "127.0.0.1"},
          Case{"20:04:29.827392 IP 192.0.2.1.49866 > 198.51.100.1.58165: tcp 0", "192.0.2.1"},
          Case{"20:04:29.826383 IP 127.0.0.1.36487 > 127.0.0.1.5353: domain [length 5 < 12] (invalid)",
               "127.0.0.1"},
          Case{
              "20:04:29.827392 IP 203.0.113.5.49866 > 127.0.0.1.58165: Flags [S], seq 1952435693, win 65495, "
              "options [mss 65495,sackOK,TS val 846029098 ecr 0,nop,wscale 10], length 0",
              "203.0.113.5"},
          Case{"20:04:29.826382 lo    In  IP 127.0.0.1.36487 > 127.0.0.1.5353: UDP, length 5", "127.0.0.1"},
          Case{"20:04:37.458420 IP6 ::1.45723 > ::1.5353: UDP, length 5", "::1"},
          Case{
              "20:04:37.458451 IP6 ::1 > ::1: ICMP6, destination unreachable, unreachable port, ::1 udp port "
              "5353, length 61",
              "::1"},
          Case{"20:04:37.458810 IP6 2001:db8::1.59516 > 2001:db8::2.40579: tcp 0", "2001:db8::1"},
          Case{"20:04:37.458809 lo    In  IP6 ::1.59516 > ::1.40579: Flags [S], seq 2192863437, win 65476, "
               "options [mss 65476,sackOK,TS val 2162484825 ecr 0,nop,wscale 10], length 0",
               "::1"},
          Case{
              "20:04:37.458420 00:00:00:00:00:00 > 00:00:00:00:00:00, IPv6, length 67: ::1.45723 > ::1.5353: "
              "UDP, length 5",
              "::1"},
          Case{"2026-11-25 20:04:37.458420 IP6 ::1.45723 > ::1.5353: UDP, length 5", "::1"},
          Case{"12:00:00.000000 IP6 ::ffff:192.0.2.1.443 > 2001:db8::2.80: tcp 0", "::ffff:192.0.2.1"},
          Case{"12:00:00.000000 IP6 ::ffff:192.0.2.1 > 2001:db8::2: ICMP6, echo request", "::ffff:192.0.2.1"},
      }) {
    INFO(c.line);
    CHECK(source(f, c.line) == addr(c.src));
  }
  CHECK(outcome(f, "") == LineOutcome::skip);
  for (const char* bad : {
           "20:04:29.000000 ARP, Request who-has 192.0.2.1 tell 192.0.2.2, length 28",
           "listening on lo, link-type EN10MB (Ethernet), snapshot length 262144 bytes",
           "IP 192.0.2.1.443 > 198.51.100.1.80 tcp 0",  // destination without ':'
           "IP 192.0.2.1.443.5 > 198.51.100.1.80: tcp 0",
           "IP 192.0.2.1.443 >",
           " > : ",
           "IP > x:",
       }) {
    INFO(bad);
    CHECK(outcome(f, bad) == LineOutcome::reject);
  }
}

TEST_CASE("json:KEY with dotted keys, bytes and latency as numbers or strings", "[line_format]") {
  auto f = format("json:remote_addr,bytes:body_bytes_sent,latency:request_time");
  LineEvent ev;
  REQUIRE(f.parse_line(R"({"remote_addr":"192.0.2.4","body_bytes_sent":"512","request_time":"0.020"})", ev) ==
          LineOutcome::event);
  CHECK(ev.addr == addr("192.0.2.4"));
  CHECK(ev.bytes == 512);
  CHECK(ev.latency_us == 20000);
  REQUIRE(f.parse_line(R"({"remote_addr":"[2001:db8::9]:5","body_bytes_sent":77,"request_time":1.25})", ev) ==
          LineOutcome::event);
  CHECK(ev.addr == addr("2001:db8::9"));
  CHECK(ev.bytes == 77);
  CHECK(ev.latency_us == 1250000);
  REQUIRE(f.parse_line(R"({"remote_addr":"192.0.2.4"})", ev) == LineOutcome::event);
  CHECK(ev.bytes == 0);
  CHECK(ev.latency_us == LineEvent::kNoLatency);

  auto nested = format("json:client.ip");
  CHECK(source(nested, R"({"client":{"ip":"198.51.100.3","port":4}})") == addr("198.51.100.3"));
  CHECK(source(nested, R"({"client.ip":"198.51.100.4"})") == addr("198.51.100.4"));
  for (const char* bad : {R"({"client":{"ip":42}})", R"({"client":"198.51.100.3"})",
                          R"({"other":"192.0.2.1"})", R"([1,2,3])", R"({"client":{"ip":"nope"}})",
                          "{not json", "\"198.51.100.3\"", R"({"client":{"ip":"198.51.100.3"}} trailing)"})
    CHECK(outcome(nested, bad) == LineOutcome::reject);
  CHECK(outcome(nested, "  ") == LineOutcome::skip);
}

TEST_CASE("format specs: good ones parse, bad ones say what is expected", "[line_format]") {
  for (const char* good :
       {"plain", "line", "tuple", "tcpdump", "field:1", "field:1024", "json:a", "json:a.b.c",
        "field:1,bytes:10", "field:1,latency:11,bytes:10", "json:ip,latency:t"})
    CHECK(LineFormat::parse(good).ok());
  for (const char* bad : {"", "plan", "field:", "field:0", "field:1025", "field:x", "json:", "plain,bytes:2",
                          "tcpdump,latency:3", "field:1,bytes:", "field:1,bytes:0", "field:1,bytes:2,bytes:3",
                          "field:1,size:2", "field:1,", "json:a,bytes:", "tuple,bytes:2"}) {
    auto r = LineFormat::parse(bad);
    INFO(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().find(bad) != std::string::npos);
  }
  CHECK(LineFormat::parse("nope").error().find("expected plain, tuple, field:N, tcpdump or json:KEY") !=
        std::string::npos);
}

TEST_CASE("garbage and very long lines are rejected, never crash", "[line_format]") {
  std::string huge(200000, '9');
  std::string binary;
  for (int i = 0; i < 256; ++i) binary.push_back(static_cast<char>(i));
  std::string long_tcpdump = "IP ";
  for (int i = 0; i < 10000; ++i) long_tcpdump += "1.2.3.4 > ";
  for (const char* spec : {"plain", "tuple", "field:3", "tcpdump", "json:a.b"}) {
    auto f = format(spec);
    INFO(spec);
    CHECK(outcome(f, huge) == LineOutcome::reject);
    CHECK(outcome(f, binary) == LineOutcome::reject);
    CHECK(outcome(f, std::string(70000, '[')) == LineOutcome::reject);
    CHECK(outcome(f, std::string(70000, '{')) == LineOutcome::reject);
    CHECK(outcome(f, long_tcpdump) == LineOutcome::reject);
  }
  // A very long line that still holds an address where the format looks.
  CHECK(source(format("field:1"), "192.0.2.1 " + huge) == addr("192.0.2.1"));
}

TEST_CASE("the line-format registry: every row parses and is named in errors and docs", "[line_format]") {
  std::ifstream doc(std::string(ASNCOUNTER_SOURCE_DIR) + "/docs/inputs.md");
  REQUIRE(doc);
  std::stringstream docs;
  docs << doc.rdbuf();
  std::string unknown = LineFormat::parse("nope").error();
  REQUIRE_FALSE(asncounter::line_formats().empty());
  for (const auto& row : asncounter::line_formats()) {
    std::string usage = asncounter::line_format_usage(row);
    INFO(usage);
    CHECK(unknown.find(usage) != std::string::npos);
    CHECK(asncounter::line_format_names().find(usage) != std::string::npos);
    // docs/inputs.md's table of formats has a row for each.
    CHECK(docs.str().find("| `" + usage + "`") != std::string::npos);
    CHECK_FALSE(row.help.empty());
    std::string arg = row.argument == asncounter::LineFormatArg::field ? ":1"
                      : row.argument == asncounter::LineFormatArg::key ? ":a"
                                                                       : "";
    auto f = LineFormat::parse(std::string(row.name) + arg);
    REQUIRE(f.ok());
    CHECK(outcome(*f, "   ") == LineOutcome::skip);
    CHECK(LineFormat::parse(std::string(row.name) + arg + ",bytes:1").ok() == row.extras);
    if (!row.alias.empty()) CHECK(LineFormat::parse(row.alias).ok());
  }
}
