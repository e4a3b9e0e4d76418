#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "daemon/store/state_file.hpp"
#include "tests/support/test_support.hpp"

using asncounter::load_state;
using asncounter::PrefixRow;
using asncounter::save_state;
using asncounter::test::TempDir;

namespace {

std::vector<PrefixRow> sample_rows() {
  std::vector<PrefixRow> rows;
  rows.push_back({*asncounter::parse_prefix("192.0.2.0/24"), 64496U, {12779, 1000, 0, 0}});
  rows.push_back({*asncounter::parse_prefix("2001:db8::/32"), 65536U, {5, 0, 1500, 3}});
  rows.push_back({std::nullopt, std::nullopt, {3361, 0, 0, 0}});
  // The same prefix under another origin: a table refresh moved it, the past stays.
  rows.push_back({*asncounter::parse_prefix("192.0.2.0/24"), 64497U, {1, 2, 3, 4}});
  return rows;
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void check_same(const std::vector<PrefixRow>& a, const std::vector<PrefixRow>& b) {
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].prefix == b[i].prefix);
    CHECK(a[i].asn == b[i].asn);
    CHECK(a[i].counts == b[i].counts);
  }
}

}  // namespace

TEST_CASE("State round-trips every row, unrouted and repeated prefixes included", "[state]") {
  TempDir dir;
  auto rows = sample_rows();
  auto saved = save_state(dir.path().string(), rows);
  REQUIRE(saved.ok());
  CHECK(*saved == rows.size());
  CHECK_FALSE(std::filesystem::exists(dir / "counts.state.tmp"));
  auto loaded = load_state(dir.path().string());
  REQUIRE(loaded.ok());
  CHECK(loaded->damage.empty());
  check_same(loaded->rows, rows);
}

TEST_CASE("A missing state file is an empty start, not an error", "[state]") {
  TempDir dir;
  auto loaded = load_state(dir.path().string());
  REQUIRE(loaded.ok());
  CHECK(loaded->damage.empty());
  CHECK(loaded->rows.empty());
}

TEST_CASE("Damaged state files are reported naming file and line, and can be set aside", "[state]") {
  TempDir dir;
  REQUIRE(save_state(dir.path().string(), sample_rows()).ok());
  std::string good = slurp(dir / "counts.state");

  struct Case {
    std::string name, text, expect;
  };
  std::string edited = good;
  edited.replace(edited.find("12779"), 5, "12780");  // a count changed by hand
  for (const auto& c :
       {Case{"cut short", good.substr(0, good.size() / 2), "cut short"}, Case{"edited", edited, "checksum"},
        Case{"garbage",
             "\x7f"
             "ELF garbage\n",
             "not an asncounter state file"},
        Case{"empty", "", "empty"}, Case{"bad row", "asncounter-state 1\nnot a row\nend 0 0\n", ":2:"}}) {
    INFO(c.name);
    std::ofstream(dir / "counts.state", std::ios::trunc) << c.text;
    auto loaded = load_state(dir.path().string());
    REQUIRE(loaded.ok());  // readable: damaged, to be set aside, not a reason to refuse the start
    CHECK(loaded->rows.empty());
    CHECK(loaded->damage.find("counts.state") != std::string::npos);
    CHECK(loaded->damage.find(c.expect) != std::string::npos);
  }
  std::string aside = asncounter::set_aside(dir.path().string());
  CHECK(std::filesystem::exists(aside));
  CHECK_FALSE(std::filesystem::exists(dir / "counts.state"));
  auto fresh = load_state(dir.path().string());
  REQUIRE(fresh.ok());
  CHECK(fresh->damage.empty());
  CHECK(fresh->rows.empty());
}

TEST_CASE("Saving into a missing directory is an error, not a crash", "[state]") {
  auto saved = save_state("/nonexistent-dir/for/state", sample_rows());
  REQUIRE_FALSE(saved.ok());
  CHECK(saved.error().find("/nonexistent-dir/for/state") != std::string::npos);
}

// Only "no such file" means "no counts yet": a file that is there but out of
// reach must stop the start, or the next save would replace it.
TEST_CASE("A state file that cannot be opened or read is an error naming it and the cause",
          "[state][adversarial]") {
  TempDir dir;
  SECTION("a directory where the file should be (EISDIR on read)") {
    std::filesystem::create_directory(dir / "counts.state");
    auto loaded = load_state(dir.path().string());
    REQUIRE_FALSE(loaded.ok());
    CHECK(loaded.error().find((dir / "counts.state").string()) != std::string::npos);
    CHECK(loaded.error().find(std::strerror(EISDIR)) != std::string::npos);
  }
  SECTION("out of descriptors (EMFILE on open)") {
    REQUIRE(save_state(dir.path().string(), sample_rows()).ok());
    std::string before = slurp(dir / "counts.state");
    // The soft limit set to the lowest free descriptor: the next open fails.
    int probe = ::dup(0);
    REQUIRE(probe >= 0);
    ::close(probe);
    rlimit saved{};
    REQUIRE(::getrlimit(RLIMIT_NOFILE, &saved) == 0);
    rlimit low = saved;
    low.rlim_cur = static_cast<rlim_t>(probe);
    REQUIRE(::setrlimit(RLIMIT_NOFILE, &low) == 0);
    auto loaded = load_state(dir.path().string());
    ::setrlimit(RLIMIT_NOFILE, &saved);
    REQUIRE_FALSE(loaded.ok());
    CHECK(loaded.error().find((dir / "counts.state").string()) != std::string::npos);
    CHECK(loaded.error().find(std::strerror(EMFILE)) != std::string::npos);
    CHECK(slurp(dir / "counts.state") == before);
  }
}

TEST_CASE("Saving never writes through a link planted at the temporary file", "[state][adversarial]") {
  TempDir dir;
  TempDir outside;
  std::ofstream(outside / "victim") << "precious\n";
  std::filesystem::create_symlink(outside / "victim", dir / "counts.state.tmp");
  REQUIRE(save_state(dir.path().string(), sample_rows()).ok());
  CHECK(slurp(outside / "victim") == "precious\n");
  CHECK_FALSE(std::filesystem::exists(dir / "counts.state.tmp"));
  auto loaded = load_state(dir.path().string());
  REQUIRE(loaded.ok());
  check_same(loaded->rows, sample_rows());
}

namespace {

// A state file body with its end line (count and FNV-1a checksum of the lines after the header).
std::string with_end(const std::string& header, const std::vector<std::string>& lines) {
  std::uint64_t sum = 14695981039346656037ULL;
  std::string out = header + "\n";
  for (const auto& l : lines) {
    for (unsigned char c : l + "\n") {
      sum ^= c;
      sum *= 1099511628211ULL;
    }
    out += l + "\n";
  }
  return out + "end " + std::to_string(lines.size()) + " " + std::to_string(sum) + "\n";
}

asncounter::SavedHistory sample_history() {
  using std::chrono::milliseconds;
  asncounter::SavedHistory h;
  h.saved_at_ms = 1764500000123;
  h.steps.push_back({milliseconds(30000), milliseconds(20000), {sample_rows()[0], sample_rows()[2]}});
  h.steps.push_back({milliseconds(20000), milliseconds(10000), {}});  // a quiet step
  h.steps.push_back({milliseconds(10000), milliseconds(0), {sample_rows()[1], sample_rows()[3]}});
  return h;
}

}  // namespace

TEST_CASE("State format 2 round-trips the history's steps after the rows", "[state][history]") {
  TempDir dir;
  auto rows = sample_rows();
  auto history = sample_history();
  auto saved = save_state(dir.path().string(), rows, &history);
  REQUIRE(saved.ok());
  CHECK(*saved == rows.size());
  CHECK(slurp(dir / "counts.state").starts_with("asncounter-state 2\n"));
  auto loaded = load_state(dir.path().string());
  REQUIRE(loaded.ok());
  CHECK(loaded->damage.empty());
  check_same(loaded->rows, rows);
  CHECK(loaded->history.saved_at_ms == history.saved_at_ms);
  REQUIRE(loaded->history.steps.size() == history.steps.size());
  for (std::size_t i = 0; i < history.steps.size(); ++i) {
    CHECK(loaded->history.steps[i].age_from == history.steps[i].age_from);
    CHECK(loaded->history.steps[i].age_to == history.steps[i].age_to);
    check_same(loaded->history.steps[i].rows, history.steps[i].rows);
  }
  // No history given: no steps, and a version 1 file still reads (rows only).
  REQUIRE(save_state(dir.path().string(), rows).ok());
  CHECK(load_state(dir.path().string())->history.steps.empty());
  std::ofstream(dir / "counts.state", std::ios::trunc)
      << with_end("asncounter-state 1", {"192.0.2.0/24\t64496\t7\t0\t0\t0"});
  auto v1 = load_state(dir.path().string());
  REQUIRE(v1.ok());
  CHECK(v1->damage.empty());
  REQUIRE(v1->rows.size() == 1);
  CHECK(v1->rows[0].counts.hits == 7);
  CHECK(v1->history.steps.empty());
}

TEST_CASE("A damaged history in a state file is reported naming the line, never half read",
          "[state][history]") {
  TempDir dir;
  const std::string row = "192.0.2.0/24\t64496\t7\t0\t0\t0";
  struct Case {
    std::string name, text, expect;
  };
  std::string good_text;
  {
    auto history = sample_history();
    REQUIRE(save_state(dir.path().string(), sample_rows(), &history).ok());
    good_text = slurp(dir / "counts.state");
  }
  std::string edited = good_text;
  edited.replace(edited.find("step 10000 0"), 12, "step 10000 1");  // an age changed by hand
  for (const auto& c : {
           Case{"edited step", edited, "checksum"},
           Case{"cut in the history", good_text.substr(0, good_text.find("step 10000")), "cut short"},
           Case{"row before any step", with_end("asncounter-state 2", {row, "history 5", row}),
                ":4: damaged state file: history row before any step"},
           Case{"step without numbers", with_end("asncounter-state 2", {"history 5", "step 10"}),
                ":3: damaged state file: malformed step line"},
           Case{"step age past int64",
                with_end("asncounter-state 2", {"history 5", "step 9223372036854775808 0"}),
                ":3: damaged state file: malformed step line"},
           Case{"history time not a number", with_end("asncounter-state 2", {"history soon"}),
                ":2: damaged state file: malformed history line"},
           Case{"history in a version 1 file", with_end("asncounter-state 1", {row, "history 5"}),
                ":3: damaged state file: malformed row"},
           Case{"step before history", with_end("asncounter-state 2", {"step 10 0"}),
                ":2: damaged state file: malformed row"},
       }) {
    INFO(c.name);
    std::ofstream(dir / "counts.state", std::ios::trunc) << c.text;
    auto loaded = load_state(dir.path().string());
    REQUIRE(loaded.ok());
    CHECK(loaded->rows.empty());
    CHECK(loaded->history.steps.empty());
    CHECK(loaded->damage.find("counts.state") != std::string::npos);
    CHECK(loaded->damage.find(c.expect) != std::string::npos);
  }
}
