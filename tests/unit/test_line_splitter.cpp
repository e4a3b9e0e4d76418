#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "daemon/input/lines/line_splitter.hpp"

using asncounter::LineSplitter;

namespace {

struct Split {
  std::vector<std::string> lines;
  std::uint64_t oversized = 0;
};

// Feeds `data` in pieces of the given sizes (cycled), as read() would, and
// collects every line including the final one at end of input.
Split split(LineSplitter& s, const std::string& data, std::vector<std::size_t> pieces) {
  Split out;
  std::size_t pos = 0, k = 0;
  while (pos < data.size()) {
    auto area = s.write_area();
    std::size_t n = std::min({pieces[k++ % pieces.size()], area.size(), data.size() - pos});
    std::memcpy(area.data(), data.data() + pos, n);
    s.commit(n);
    pos += n;
    while (auto l = s.next_line()) out.lines.emplace_back(*l);
  }
  if (auto l = s.finish()) out.lines.emplace_back(*l);
  out.oversized = s.take_oversized();
  return out;
}

}  // namespace

TEST_CASE("lines come out whole whatever the read sizes", "[line_splitter]") {
  std::string data;
  std::vector<std::string> expected;
  std::mt19937 rng(42);
  for (int i = 0; i < 5000; ++i) {
    std::string l(rng() % 300, static_cast<char>('a' + i % 26));
    expected.push_back(l);
    data += l + (i % 3 == 0 ? "\r\n" : "\n");
  }
  for (auto pieces : {std::vector<std::size_t>{1}, {7, 3, 1000}, {4096}, {1 << 20}}) {
    LineSplitter s(1024, 4096);
    auto got = split(s, data, pieces);
    CHECK(got.lines == expected);
    CHECK(got.oversized == 0);
  }
}

TEST_CASE("a final line without newline counts, and empty input gives nothing", "[line_splitter]") {
  LineSplitter s;
  CHECK(split(s, "a\nb\nlast", {3}).lines == std::vector<std::string>{"a", "b", "last"});
  LineSplitter t;
  CHECK(split(t, "", {3}).lines.empty());
  LineSplitter u;
  CHECK(split(u, "\n\n", {1}).lines == std::vector<std::string>{"", ""});
}

TEST_CASE("a line over the limit is dropped without growing the buffer", "[line_splitter]") {
  constexpr std::size_t kMax = 100;
  std::string data = "before\n" + std::string(kMax, 'x') + "\n" + std::string(kMax + 1, 'y') + "\n" +
                     std::string(10 * kMax + 7, 'z') + "\nafter\n" + std::string(5 * kMax, 'w');
  for (auto pieces : {std::vector<std::size_t>{1}, {13}, {64}, {5000}}) {
    LineSplitter s(kMax, 64);
    auto first_area = s.write_area();
    auto got = split(s, data, pieces);
    CHECK(got.lines == std::vector<std::string>{"before", std::string(kMax, 'x'), "after"});
    CHECK(got.oversized == 3);  // the y line, the z line, the unterminated w tail
    // The buffer never moved or grew: the write area still starts at its front.
    CHECK(s.write_area().data() == first_area.data());
  }
}

TEST_CASE("the real limit is 64 KiB", "[line_splitter]") {
  LineSplitter s;
  std::string ok(LineSplitter::kMaxLine, 'a');
  std::string too_long(LineSplitter::kMaxLine + 1, 'b');
  auto got = split(s, ok + "\n" + too_long + "\nend\n", {LineSplitter::kChunk});
  REQUIRE(got.lines.size() == 2);
  CHECK(got.lines[0].size() == LineSplitter::kMaxLine);
  CHECK(got.lines[1] == "end");
  CHECK(got.oversized == 1);
}

TEST_CASE("reset forgets a partial line", "[line_splitter]") {
  LineSplitter s(100, 100);
  auto area = s.write_area();
  std::memcpy(area.data(), "abc\npartial", 11);
  s.commit(11);
  CHECK(s.next_line() == std::string_view("abc"));
  CHECK_FALSE(s.next_line());
  s.reset();
  area = s.write_area();
  std::memcpy(area.data(), "new\n", 4);
  s.commit(4);
  CHECK(s.next_line() == std::string_view("new"));
  CHECK_FALSE(s.finish());
}

TEST_CASE("take_lines hands over the whole lines as one run and keeps the partial one", "[line_splitter]") {
  LineSplitter s(8, 16);
  auto put = [&](const std::string& t) {
    auto area = s.write_area();
    REQUIRE(area.size() >= t.size());
    std::memcpy(area.data(), t.data(), t.size());
    s.commit(t.size());
  };
  put("a\nbb\r\ncc");
  CHECK(s.buffered() == 8);
  CHECK(s.take_lines() == "a\nbb\r\n");
  CHECK(s.take_lines().empty());  // only the partial line is left
  put("c\n");
  CHECK(s.next_line() == "ccc");
  // A line over the limit inside a run stays in it (the caller counts it);
  // one that began before the run is dropped to its newline and counted here.
  put("0123456789\nx\n");
  CHECK(s.take_lines() == "0123456789\nx\n");
  CHECK(s.take_oversized() == 0);
  put("0123456789");
  put("abcdef\ny\nzz");  // the write area dropped the long line's start
  CHECK(s.take_lines() == "y\n");
  CHECK(s.take_oversized() == 1);
  CHECK(s.finish() == "zz");
}
