// AS names: pyasn's asnames.json, cidr-report's autnums.html parsed the way
// pyasn_util_asnames.py does, told apart by content, and garbage refused.
#include <catch2/catch.hpp>

#include <bzlib.h>

#include <fstream>
#include <random>
#include <regex>

#include "common/parse_number.hpp"
#include "common/table/as_names.hpp"
#include "tests/support/test_support.hpp"

using namespace asncounter;
using asncounter::test::TempDir;

namespace {

const char* kAutnums =
    "<html><head><title>autnums</title></head><body><pre>\n"
    "<a href=\"/cgi-bin/as-report?as=AS0&view=2.0\">AS0     </a>-Reserved AS-, ZZ\n"
    "<a href=\"/cgi-bin/as-report?as=AS1&view=2.0\">AS1     </a>LVLT-1 - Level 3 Parent, LLC, US\n"
    "<a href=\"/cgi-bin/as-report?as=AS64496&view=2.0\">AS64496 </a>EXAMPLE-NET Example Org, US\r\n"
    "<a href=\"/cgi-bin/as-report?as=AS4200000000&view=2.0\">AS4200000000</a>  PRIVATE-NET, ZZ\n"
    "<a href=\"/cgi-bin/as-report?as=AS2.0&view=2.0\">AS2.0 </a>ASDOT-NAME, ZZ\n"
    "  <a href=\"x\">AS7 </a>indented lines are not entries, ZZ\n"
    "<a href=\"/cgi-bin/as-report?as=AS1&view=2.0\">AS1 </a>LATER-WINS, US\n"
    "</pre></body></html>\n";

void write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

}  // namespace

TEST_CASE("as names: pyasn's JSON map", "[asnames]") {
  auto names = AsNames::parse_json(R"({"64496": "EXAMPLE-NET Example Org, US", "1": "LVLT-1, US",
                                       "4294967295": "LAST, ZZ", "65551": "Caf\u00e9 Net, FR"})");
  REQUIRE(names.ok());
  CHECK(names->size() == 4);
  CHECK(names->name(64496) == "EXAMPLE-NET Example Org, US");
  CHECK(names->name(1) == "LVLT-1, US");
  CHECK(names->name(4294967295U) == "LAST, ZZ");
  CHECK(names->name(65551) == "Caf\xc3\xa9 Net, FR");
  CHECK_FALSE(names->name(2));
}

TEST_CASE("as names: JSON that is not a map of ASN to name is refused", "[asnames]") {
  const char* bad[] = {"",
                       "{",
                       "[\"64496\", \"X\"]",
                       "\"just a string\"",
                       "{\"AS64496\": \"X\"}",
                       "{\"64496\": 5}",
                       "{\"4294967296\": \"too big\"}",
                       "{\"-1\": \"negative\"}",
                       "{\"64496\": \"X\"} trailing",
                       "{\"64496\": \"\xff\xfe invalid utf-8\"}"};
  for (const char* text : bad) {
    INFO(text);
    CHECK_FALSE(AsNames::parse_json(text).ok());
  }
  auto empty = AsNames::parse_json("{}");
  REQUIRE(empty.ok());
  CHECK(empty->size() == 0);
}

TEST_CASE("as names: autnums.html lines, as pyasn_util_asnames.py reads them", "[asnames]") {
  auto names = AsNames::parse_autnums_html(kAutnums);
  REQUIRE(names.ok());
  CHECK(names->name(0) == "-Reserved AS-, ZZ");
  CHECK(names->name(64496) == "EXAMPLE-NET Example Org, US");  // CR of a CRLF page dropped
  CHECK(names->name(4200000000U) == "PRIVATE-NET, ZZ");        // space before the name skipped
  CHECK(names->name(1) == "LATER-WINS, US");                   // a later line replaces, as in a dict
  CHECK_FALSE(names->name(7));                                 // pyasn only reads lines starting "<a"
  CHECK(names->size() == 4);                                   // AS2.0 has no numeric key: skipped
}

TEST_CASE("as names: the greedy regex picks the last '>AS' followed by '</a>'", "[asnames]") {
  // `<a .+>AS(.+?)\s*</a>\s*(.*)`: with two anchors on a line the match
  // starts at the last ">AS" that a "</a>" follows.
  auto names = AsNames::parse_autnums_html(
      "<a href=\"a\">AS10 </a>FIRST <a href=\"b\">AS20 </a>SECOND, US\n"
      "<a href=\"c\">AS30 </a>ONLY, US <b>ASX</b>\n");
  REQUIRE(names.ok());
  CHECK_FALSE(names->name(10));
  CHECK(names->name(20) == "SECOND, US");
  CHECK(names->name(30) == "ONLY, US <b>ASX</b>");
}

// pyasn's own regex, run by std::regex (a backtracking engine, as Python's
// re) on short random lines: the linear matcher must pick the same code and name.
TEST_CASE("as names: the linear matcher agrees with pyasn's regex on random lines",
          "[asnames][adversarial]") {
  const std::regex pyasn("<a .+>AS(.+?)\\s*</a>\\s*(.*)");
  const char* tokens[] = {"<a ", ">AS", "</a>", "1", "23", "4",   " ", "\t",
                          "x",   ">",   "A",    "S", "<",  "/a>", "AS"};
  std::mt19937 rng(12);
  std::uniform_int_distribution<std::size_t> pick(0, std::size(tokens) - 1);
  std::uniform_int_distribution<int> length(1, 14);
  int matched = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string line = "<a ";
    for (int n = length(rng); n > 0; --n) line += tokens[pick(rng)];
    INFO(line);
    std::smatch m;
    std::optional<std::uint32_t> asn;
    if (std::regex_search(line, m, pyasn, std::regex_constants::match_continuous))
      asn = parse_unsigned<std::uint32_t>(m[1].str());
    auto names = AsNames::parse_autnums_html(line + "\n");
    REQUIRE(names.ok() == asn.has_value());
    if (!asn) continue;
    ++matched;
    CHECK(names->name(*asn) == m[2].str());
  }
  CHECK(matched > 100);  // the lines exercise the match, not only the refusal
}

// The old matcher tried each ">AS" from the right with a forward search for
// "</a>": quadratic, 8.5 s for 2 MiB, so these 8 MiB lines would take minutes.
TEST_CASE("as names: a long line of '>AS' is parsed in linear time", "[asnames][adversarial]") {
  const std::size_t repeats = (std::size_t{8} << 20) / 3;
  std::string flood;
  flood.reserve(repeats * 3);
  for (std::size_t i = 0; i < repeats; ++i) flood += ">AS";
  const std::string good = "<a href=\"x\">AS64496 </a>GOOD-NET, ZZ\n";

  auto no_close = AsNames::parse_autnums_html("<a " + flood + "\n" + good);
  REQUIRE(no_close.ok());
  CHECK(no_close->size() == 1);
  CHECK(no_close->name(64496) == "GOOD-NET, ZZ");

  // A "</a>" early in the line, every ">AS" after it: the early one is the match.
  auto early_close = AsNames::parse_autnums_html("<a x>AS64497</a>EARLY" + flood + "\n" + good);
  REQUIRE(early_close.ok());
  CHECK(early_close->size() == 2);
  auto early = early_close->name(64497);
  REQUIRE(early);
  CHECK(early->substr(0, 8) == "EARLY>AS");
  CHECK(early->size() == 5 + flood.size());
}

TEST_CASE("as names: Latin-1 pages become UTF-8, UTF-8 pages stay as they are", "[asnames]") {
  auto latin1 = AsNames::parse_autnums_html("<a href=\"x\">AS64496 </a>Caf\xe9 Net, FR\n");
  REQUIRE(latin1.ok());
  CHECK(latin1->name(64496) == "Caf\xc3\xa9 Net, FR");
  auto utf8 = AsNames::parse_autnums_html("<a href=\"x\">AS64496 </a>Caf\xc3\xa9 Net, FR\n");
  REQUIRE(utf8.ok());
  CHECK(utf8->name(64496) == "Caf\xc3\xa9 Net, FR");
}

TEST_CASE("as names: a page without entries is refused", "[asnames]") {
  CHECK_FALSE(AsNames::parse_autnums_html("").ok());
  CHECK_FALSE(AsNames::parse_autnums_html("<html><body>Service unavailable</body></html>\n").ok());
  CHECK_FALSE(AsNames::parse_autnums_html("<a href=\"x\">no as here</a>\n").ok());
}

TEST_CASE("as names: load tells JSON from HTML by content, any compression", "[asnames]") {
  TempDir dir;
  write_file(dir / "names.txt", "  \n{\"64496\": \"EXAMPLE-NET, US\"}");
  write_file(dir / "autnums.json", kAutnums);  // a misleading name: content decides
  auto json = AsNames::load((dir / "names.txt").string());
  REQUIRE(json.ok());
  CHECK(json->name(64496) == "EXAMPLE-NET, US");
  auto html = AsNames::load((dir / "autnums.json").string());
  REQUIRE(html.ok());
  CHECK(html->name(64496) == "EXAMPLE-NET Example Org, US");
  // bzip2, through the same stream code as the tables.
  std::string src(kAutnums);
  std::vector<char> out(src.size() * 2 + 600);
  auto out_len = static_cast<unsigned>(out.size());
  REQUIRE(BZ2_bzBuffToBuffCompress(out.data(), &out_len, src.data(), static_cast<unsigned>(src.size()), 9, 0,
                                   0) == BZ_OK);
  write_file(dir / "autnums.bz2", std::string(out.data(), out_len));
  auto bz = AsNames::load((dir / "autnums.bz2").string());
  REQUIRE(bz.ok());
  CHECK(bz->size() == 4);

  write_file(dir / "garbage", "\x01\x02 not names at all");
  auto garbage = AsNames::load((dir / "garbage").string());
  REQUIRE_FALSE(garbage.ok());
  CHECK_THAT(garbage.error(), Catch::Contains("garbage"));
  auto missing = AsNames::load((dir / "missing.json").string());
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.error(), Catch::Contains("missing.json"));
}

TEST_CASE("as names: the real asnames.json.gz", "[asnames][data]") {
  auto path = asncounter::test::shared_data("asnames.json.gz");
  if (!path) ASNCOUNTER_SKIP(asncounter::test::missing_data_message("asnames.json.gz"));
  auto names = AsNames::load(path->string());
  REQUIRE(names.ok());
  CHECK(names->size() == 77586);
  CHECK(names->name(50088) == "FITL-IE Fort Technologies, GB");
  CHECK(names->name(11540) == "RTI - Research Triangle Institute, US");
}
