// Long answers are written as they are made (issue 12, finding 2): the text
// of a big table comes in pieces of about the size asked, printed only when
// asked for, and the pieces put together are the answer the client parses.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/json_text.hpp"
#include "common/report.hpp"
#include "daemon/rpc/dispatch.hpp"
#include "daemon/rpc/handlers.hpp"
#include "daemon/rpc/pieced_answer.hpp"
#include "tests/support/counted_24s.hpp"
#include "tests/support/fake_daemon.hpp"

namespace rpc = asncounter::rpc;
using nlohmann::json;

TEST_CASE("A pieced answer prints its rows only as its pieces are asked for", "[rpc][pieces]") {
  rpc::PiecedAnswer answer;
  std::size_t printed = 0;
  answer.text("[");
  answer.rows(1000, [&](std::string& out, std::size_t i) {
    ++printed;
    out += std::to_string(i);
  });
  answer.text("]");
  CHECK(printed == 0);  // nothing is made before it is asked for

  std::string whole;
  std::vector<std::size_t> sizes;
  for (bool more = true; more;) {
    std::string piece;
    more = answer.next(piece, 100);
    sizes.push_back(piece.size());
    whole += piece;
    if (sizes.size() == 1) CHECK(printed < 50);  // the first piece made a few rows, not all
  }
  CHECK(printed == 1000);
  CHECK(sizes.size() > 30);
  for (std::size_t s : sizes) CHECK(s < 100 + 5);  // the budget, plus at most one row or text
  auto parsed = json::parse(whole);
  REQUIRE(parsed.size() == 1000);
  CHECK(parsed[999] == 999);
}

TEST_CASE("An answer can be prefixed after it is made, and an empty run of rows prints nothing",
          "[rpc][pieces]") {
  rpc::PiecedAnswer answer;
  answer.text(R"({"rows":[)");
  answer.rows(0, [](std::string& out, std::size_t) { out += "x"; });
  answer.text("]}");
  answer.prepend("<");
  CHECK(answer.rest() == R"(<{"rows":[]})");
}

TEST_CASE("An object cut open around one array prints as dump() would", "[rpc][pieces]") {
  // The key first, in the middle, last, and also inside a nested object and a string.
  json object = {{"b", 1},
                 {"m", {{"rows", json::array()}}},
                 {"name", R"("rows":[] in a string)"},
                 {"zz", nullptr},
                 {"bad", std::string("\xff")}};
  for (std::string key : {"a", "rows", "n", "zzz"}) {
    INFO(key);
    auto [head, tail] = asncounter::json_around_array(object, key);
    json full = object;
    full[key] = {1, 2};
    CHECK(head + "1,2" + tail == asncounter::compact_json(full));
  }
}

TEST_CASE("A report table in pieces is to_json's text", "[rpc][pieces]") {
  asncounter::ReportTable t;
  t.prefixes = true;
  t.total = 10;
  t.has_latency = true;
  t.rows.push_back({64496, *asncounter::parse_prefix("192.0.2.0/24"), "DOC-A, ZZ", 7, 700, 1.5});
  t.rows.push_back({std::nullopt, std::nullopt, std::nullopt, 3, 0, std::nullopt});
  auto [head, tail] = asncounter::to_json_around_rows(t);
  std::string rows;
  asncounter::append_json_row(rows, t, t.rows[0]);
  rows += ',';
  asncounter::append_json_row(rows, t, t.rows[1]);
  CHECK(head + rows + tail == asncounter::to_json(t));
  // The shape the clients read, with nlohmann's key order.
  CHECK(
      asncounter::to_json(t) ==
      R"({"has_bytes":false,"has_latency":true,"rows":[{"asn":64496,"bytes":700,"count":7,"latency_ms":1.5,)"
      R"("name":"DOC-A, ZZ","percent":70.0,"prefix":"192.0.2.0/24"},{"asn":null,"bytes":0,"count":3,)"
      R"("latency_ms":null,"name":null,"percent":30.0,"prefix":null}],"total":10,"total_bytes":0})");
}

TEST_CASE("Long tables are answered in pieces that make up the whole answer", "[rpc][pieces]") {
  constexpr int kPrefixes = 5000;
  asncounter::test::FakeDaemon daemon(asncounter::test::table_of_24s(kPrefixes));
  asncounter::test::count_each_24(daemon.store(), kPrefixes,
                                  [](int i) { return static_cast<std::uint32_t>(1 + i % 7); });
  rpc::Params all;
  all.set(rpc::ParamId::limit, std::uint64_t{0});
  rpc::Params one_as = all;
  one_as.set(rpc::ParamId::asn, std::uint64_t{64496});
  struct Case {
    rpc::MethodId method;
    const rpc::Params& params;
    std::size_t rows;
  };
  for (const Case& c :
       {Case{rpc::MethodId::prefixes, all, kPrefixes}, Case{rpc::MethodId::report, all, kPrefixes},
        Case{rpc::MethodId::asn, one_as, kPrefixes / 5},
        Case{rpc::MethodId::as_prefixes, one_as, kPrefixes / 5}}) {
    INFO(rpc::method(c.method).name);
    rpc::Reply reply = rpc::handle(c.method, daemon, c.params);
    REQUIRE(reply.ok);
    REQUIRE(reply.pieces);  // not one string: printed as it is written
    std::string whole;
    std::size_t pieces = 0;
    for (bool more = true; more; ++pieces) {
      std::string piece;
      more = reply.pieces->next(piece, 4096);
      CHECK(piece.size() < 4096 + 512);
      whole += piece;
    }
    CHECK(pieces > 3);
    CHECK(pieces >= whole.size() / 4096);
    auto result = json::parse(whole);
    json rows = c.method == rpc::MethodId::report     ? result["prefixes"]["rows"]
                : c.method == rpc::MethodId::prefixes ? result["rows"]
                                                      : result["prefixes"];
    CHECK(rows.size() == c.rows);
    // The same as the whole answer at once.
    CHECK(json::parse(rpc::Dispatcher::settle(rpc::handle(c.method, daemon, c.params)).result_json) ==
          result);
  }
}
