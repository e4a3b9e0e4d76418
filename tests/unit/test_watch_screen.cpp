// The watch screen fits its terminal (issue 26): header first and always
// shown, rows cut to the height, every line cut to the width, no newline at
// the bottom that would scroll the header away.
#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "ctl/watch_screen.hpp"

using asncounter::ctl::clip_to_width;
using asncounter::ctl::fit_screen;
using asncounter::ctl::ScreenSize;
using asncounter::ctl::watch_table_lines;
using asncounter::ctl::WatchRow;

namespace {

std::vector<std::string> lines_of(const std::string& screen) {
  std::vector<std::string> out;
  std::istringstream in(screen);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace

TEST_CASE("watch screen: 20 rows of long names in a 60x10 pane", "[ctl][watch][trust]") {
  std::vector<WatchRow> rows;
  for (int i = 0; i < 20; ++i)
    rows.push_back({std::to_string(64496 + i),
                    "A VERY LONG AUTONOMOUS SYSTEM NAME THAT WOULD WRAP ON A SMALL TERMINAL, ZZ", 200.0 - i,
                    "5.00"});
  std::vector<std::string> lines{
      "12:00:00Z ASNs by hits: 200.0 hits/s over the last 2.0 s  (q quits, p "
      "prefixes, b bytes)"};
  auto table = watch_table_lines(rows, false, false);
  lines.insert(lines.end(), table.begin(), table.end());

  std::string screen = fit_screen(lines, ScreenSize{60, 10});
  CHECK_FALSE(screen.ends_with("\n"));
  auto shown = lines_of(screen);
  REQUIRE(shown.size() == 10);
  CHECK_THAT(shown[0], Catch::StartsWith("12:00:00Z ASNs by hits: 200.0 hits/s"));
  CHECK_THAT(shown[1], Catch::StartsWith("rate/s") && Catch::Contains("ASN"));
  CHECK_THAT(shown[2], Catch::StartsWith("200.0") && Catch::Contains("64496"));
  for (const auto& l : shown) CHECK(l.size() <= 60);
}

TEST_CASE("watch screen: clipping counts characters, never splits one", "[ctl][watch][trust]") {
  CHECK(clip_to_width("abcdef", 3) == "abc");
  CHECK(clip_to_width("ab", 3) == "ab");
  CHECK(clip_to_width("\xc3\xa9t\xc3\xa9", 2) == "\xc3\xa9t");  // "été"
  CHECK(clip_to_width("x", 0).empty());
  auto bytes = watch_table_lines({{"2001:db8::/32", "64499 DOC-D, ZZ", 1.5, "100.00"}}, true, true);
  CHECK_THAT(bytes[0], Catch::StartsWith("bytes/s") && Catch::Contains("prefix"));
  CHECK_THAT(bytes[1], Catch::Contains("2001:db8::/32 64499 DOC-D, ZZ"));
}
