#include <catch2/catch.hpp>

#include <string>

#include "common/report.hpp"
#include "common/table/as_names.hpp"
#include "common/table/lpm_table.hpp"
#include "daemon/store/counter_store.hpp"
#include "tests/support/addresses.hpp"

using asncounter::AsNames;
using asncounter::AsnRow;
using asncounter::AsnTable;
using asncounter::Counts;
using asncounter::EventBatch;
using asncounter::PrefixRow;
using asncounter::PrefixTable;
using asncounter::ReportTable;

namespace {

using asncounter::test::pfx;

AsNames names() {
  auto n = AsNames::parse_json(R"({"66496": "SAMPLE, CA", "64496": "EXAMPLE-NET, ZZ"})");
  REQUIRE(n.ok());
  return std::move(*n);
}

Counts hits(std::uint64_t n) { return Counts{n, 0, 0, 0}; }

}  // namespace

TEST_CASE("report prints DESIGN.md's example byte for byte", "[report]") {
  AsnTable asns;
  asns.total = hits(18433);  // more rows exist than are shown (--top 2)
  asns.rows = {AsnRow{66496, hits(12779)}, AsnRow{std::nullopt, hits(3361)}};
  PrefixTable prefixes;
  prefixes.total = hits(18433);
  prefixes.rows = {PrefixRow{pfx("192.0.2.0/24"), 66496, hits(12779)},
                   PrefixRow{std::nullopt, std::nullopt, hits(3361)}};
  AsNames n = names();
  std::string text = asncounter::format_report(asncounter::make_asn_report(asns, &n),
                                               asncounter::make_prefix_report(prefixes, &n));
  CHECK(text ==
        "count\tpercent\tASN\tAS\n"
        "12779\t69.33\t66496\tSAMPLE, CA\n"
        "3361\t18.23\tNone\tNone\n"
        "total: 18433\n"
        "count\tpercent\tprefix\tASN\tAS\n"
        "12779\t69.33\t192.0.2.0/24\t66496\tSAMPLE, CA\n"
        "3361\t18.23\tNone\t\t\n"
        "total: 18433\n");
}

TEST_CASE("report prints None for unknown names and without a names file", "[report]") {
  AsnTable asns;
  asns.total = hits(3);
  asns.rows = {AsnRow{64497, hits(2)}, AsnRow{64496, hits(1)}};
  AsNames n = names();
  std::string out;
  asncounter::append_tsv(out, asncounter::make_asn_report(asns, &n));
  CHECK(out ==
        "count\tpercent\tASN\tAS\n2\t66.67\t64497\tNone\n1\t33.33\t64496\tEXAMPLE-NET, ZZ\ntotal: 3\n");
  out.clear();
  asncounter::append_tsv(out, asncounter::make_asn_report(asns, nullptr));
  CHECK(out == "count\tpercent\tASN\tAS\n2\t66.67\t64497\tNone\n1\t33.33\t64496\tNone\ntotal: 3\n");
}

// A name is text from outside: one that carries a terminal escape, a newline
// or a tab must not clear the screen, add a row or shift the columns.
TEST_CASE("report escapes control characters in AS names", "[report][adversarial]") {
  auto n = AsNames::parse_json(
      R"({"64496": "EVIL\u001b[2J\u001b[H, ZZ", "64497": "FAKE\n999\t99.99\t64511\tROW", )"
      R"("64498": "TAB\tBACK\\SLASH\r\u0007\u007f", "64499": "C1\u009b2J Caf\u00e9, FR"})");
  REQUIRE(n.ok());
  AsnTable asns;
  asns.total = hits(4);
  asns.rows = {AsnRow{64496, hits(1)}, AsnRow{64497, hits(1)}, AsnRow{64498, hits(1)},
               AsnRow{64499, hits(1)}};
  std::string out;
  asncounter::append_tsv(out, asncounter::make_asn_report(asns, &*n));
  CHECK(out ==
        "count\tpercent\tASN\tAS\n"
        "1\t25.00\t64496\tEVIL\\x1b[2J\\x1b[H, ZZ\n"
        "1\t25.00\t64497\tFAKE\\n999\\t99.99\\t64511\\tROW\n"
        "1\t25.00\t64498\tTAB\\tBACK\\\\SLASH\\r\\x07\\x7f\n"
        "1\t25.00\t64499\tC1\\u009b2J Caf\xc3\xa9, FR\n"
        "total: 4\n");
  PrefixTable prefixes;
  prefixes.total = hits(1);
  prefixes.rows = {PrefixRow{pfx("192.0.2.0/24"), 64497, hits(1)}};
  out.clear();
  asncounter::append_tsv(out, asncounter::make_prefix_report(prefixes, &*n));
  CHECK(out ==
        "count\tpercent\tprefix\tASN\tAS\n"
        "1\t100.00\t192.0.2.0/24\t64497\tFAKE\\n999\\t99.99\\t64511\\tROW\n"
        "total: 1\n");
  // --json keeps the name as it is: JSON escapes control characters itself.
  auto back =
      asncounter::report_from_json(asncounter::to_json(asncounter::make_asn_report(asns, &*n)), false);
  REQUIRE(back.ok());
  CHECK(back->rows[1].name == "FAKE\n999\t99.99\t64511\tROW");
}

TEST_CASE("report percent has two decimals rounded like Python's %.2f", "[report]") {
  CHECK(asncounter::format_percent(1, 3) == "33.33");
  CHECK(asncounter::format_percent(2, 3) == "66.67");
  CHECK(asncounter::format_percent(1, 8) == "12.50");
  CHECK(asncounter::format_percent(1, 800) == "0.12");  // 0.125 exactly: half to even
  CHECK(asncounter::format_percent(5, 5) == "100.00");
  CHECK(asncounter::format_percent(0, 0) == "0.00");
}

TEST_CASE("report of an empty store is two headers and zero totals", "[report]") {
  asncounter::CounterStore store(asncounter::LpmTable::empty());
  std::string text =
      asncounter::format_report(asncounter::make_asn_report(store.top_asns(10), nullptr),
                                asncounter::make_prefix_report(store.top_prefixes(10), nullptr));
  CHECK(text == "count\tpercent\tASN\tAS\ntotal: 0\ncount\tpercent\tprefix\tASN\tAS\ntotal: 0\n");
}

TEST_CASE("report from the store: ties by key, None last, --top cuts rows not totals", "[report]") {
  auto table = asncounter::LpmTable::build(
      {{pfx("198.51.100.0/24"), 64500}, {pfx("192.0.2.0/24"), 64496}, {pfx("2001:db8::/32"), 64496}},
      asncounter::TableInfo{});
  asncounter::CounterStore store(table);
  EventBatch b;
  for (const char* a : {"198.51.100.1", "192.0.2.1", "2001:db8::1", "10.0.0.1", "10.0.0.2", "192.0.2.9"})
    b.push(*asncounter::parse_address(a));
  store.add(b);
  std::string out;
  asncounter::append_tsv(out, asncounter::make_prefix_report(store.top_prefixes(0), nullptr));
  CHECK(out ==
        "count\tpercent\tprefix\tASN\tAS\n"
        "2\t33.33\t192.0.2.0/24\t64496\tNone\n"
        "2\t33.33\tNone\t\t\n"
        "1\t16.67\t198.51.100.0/24\t64500\tNone\n"
        "1\t16.67\t2001:db8::/32\t64496\tNone\n"
        "total: 6\n");
  out.clear();
  asncounter::append_tsv(out, asncounter::make_asn_report(store.top_asns(2), nullptr));
  CHECK(out == "count\tpercent\tASN\tAS\n3\t50.00\t64496\tNone\n2\t33.33\tNone\tNone\ntotal: 6\n");
}

TEST_CASE("report adds bytes and latency columns only when inputs carry them", "[report]") {
  AsnTable asns;
  asns.total = Counts{4, 1500, 3000, 3};
  asns.rows = {AsnRow{64496, Counts{3, 1000, 3000, 3}}, AsnRow{std::nullopt, Counts{1, 500, 0, 0}}};
  std::string out;
  asns.has_bytes = true;
  asncounter::append_tsv(out, asncounter::make_asn_report(asns, nullptr));
  CHECK(out ==
        "count\tpercent\tASN\tAS\tbytes\n3\t75.00\t64496\tNone\t1000\n1\t25.00\tNone\tNone\t500\ntotal: 4\n");
  out.clear();
  asns.has_latency = true;
  asncounter::append_tsv(out, asncounter::make_asn_report(asns, nullptr));
  CHECK(out ==
        "count\tpercent\tASN\tAS\tbytes\tlatency_ms\n"
        "3\t75.00\t64496\tNone\t1000\t1.000\n"
        "1\t25.00\tNone\tNone\t500\t-\n"
        "total: 4\n");
  PrefixTable p;
  p.total = asns.total;
  p.has_latency = true;
  p.rows = {PrefixRow{std::nullopt, std::nullopt, Counts{1, 500, 0, 0}}};
  out.clear();
  asncounter::append_tsv(out, asncounter::make_prefix_report(p, nullptr));
  CHECK(out == "count\tpercent\tprefix\tASN\tAS\tlatency_ms\n1\t25.00\tNone\t\t\t-\ntotal: 4\n");
}

TEST_CASE("report JSON has DESIGN.md's shape and reads back to the same table", "[report]") {
  AsNames n = names();
  PrefixTable p;
  p.total = Counts{10, 900, 4000, 2};
  p.has_bytes = p.has_latency = true;
  p.rows = {PrefixRow{pfx("192.0.2.0/24"), 64496, Counts{6, 600, 4000, 2}},
            PrefixRow{pfx("2001:db8::/32"), 64497, Counts{3, 300, 0, 0}},
            PrefixRow{std::nullopt, std::nullopt, Counts{1, 0, 0, 0}}};
  ReportTable t = asncounter::make_prefix_report(p, &n);
  std::string json = asncounter::to_json(t);
  CHECK(json.starts_with(
      R"({"has_bytes":true,"has_latency":true,"rows":[{"asn":64496,"bytes":600,"count":6,)"));
  CHECK(json.find(R"("name":"EXAMPLE-NET, ZZ","percent":60.0,"prefix":"192.0.2.0/24"})") !=
        std::string::npos);
  CHECK(
      json.find(
          R"({"asn":null,"bytes":0,"count":1,"latency_ms":null,"name":null,"percent":10.0,"prefix":null})") !=
      std::string::npos);
  CHECK(json.ends_with(R"("total":10,"total_bytes":900})"));
  auto back = asncounter::report_from_json(json, true);
  REQUIRE(back.ok());
  CHECK(*back == t);
  // Printed from the JSON answer (asncounterctl) == printed directly (--once).
  std::string direct, via_json;
  asncounter::append_tsv(direct, t);
  asncounter::append_tsv(via_json, *back);
  CHECK(direct == via_json);

  AsnTable a;
  a.total = hits(5);
  a.rows = {AsnRow{66496, hits(5)}};
  ReportTable at = asncounter::make_asn_report(a, &n);
  CHECK(
      asncounter::to_json(at) ==
      R"({"has_bytes":false,"has_latency":false,"rows":[{"asn":66496,"bytes":0,"count":5,"name":"SAMPLE, CA","percent":100.0}],"total":5,"total_bytes":0})");
  auto aback = asncounter::report_from_json(asncounter::to_json(at), false);
  REQUIRE(aback.ok());
  CHECK(*aback == at);
}

TEST_CASE("report JSON reader rejects malformed answers without throwing", "[report]") {
  for (const char* bad :
       {"", "{", "[]", R"({"rows":[]})", R"({"total":1,"rows":[{"asn":"x","count":1}]})",
        R"({"total":1,"rows":[{"count":-1}]})", R"({"total":1,"rows":[{"count":1,"prefix":"nope"}]})",
        R"({"total":1,"rows":{}})"}) {
    INFO(bad);
    auto r = asncounter::report_from_json(bad, true);
    CHECK_FALSE(r.ok());
  }
}
