#include "daemon/store/state_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string_view>

#include "common/parse_number.hpp"
#include "common/unique_fd.hpp"
#include "daemon/sys/durable_file.hpp"

namespace asncounter {
namespace {

// A versioned text format: easy to inspect by hand, and a checksum line at
// the end catches a file cut short or edited. Version 1: the rows, then
// "end LINES CHECKSUM". Version 2 (written since): the same, then the
// history: "history SAVED_AT_MS", and per step "step AGE_FROM_MS AGE_TO_MS"
// followed by its rows; LINES and CHECKSUM cover every line between the
// header and the end line. Version 1 files are still read.
constexpr std::string_view kMagicV1 = "asncounter-state 1";
constexpr std::string_view kMagic = "asncounter-state 2";

// FNV-1a over every row line, newline included.
std::uint64_t fnv1a(std::uint64_t h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}
constexpr std::uint64_t kFnvSeed = 14695981039346656037ULL;

void append_row(std::string& out, const PrefixRow& r) {
  if (r.prefix)
    append_to(out, *r.prefix);
  else
    out += "None";
  out += '\t';
  out += r.asn ? std::to_string(*r.asn) : "None";
  for (std::uint64_t v : {r.counts.hits, r.counts.bytes, r.counts.latency_us_sum, r.counts.latency_samples}) {
    out += '\t';
    out += std::to_string(v);
  }
  out += '\n';
}

template <class T>
bool parse_number(std::string_view s, T& out) {
  auto v = parse_unsigned<T>(s);
  if (v) out = *v;
  return v.has_value();
}

std::optional<PrefixRow> parse_row(std::string_view line) {
  std::string_view f[6];
  for (int i = 0; i < 6; ++i) {
    auto tab = line.find('\t');
    if ((tab == std::string_view::npos) != (i == 5)) return std::nullopt;
    f[i] = line.substr(0, tab);
    line = tab == std::string_view::npos ? std::string_view{} : line.substr(tab + 1);
  }
  PrefixRow r;
  if (f[0] != "None") {
    auto p = parse_prefix(f[0]);
    if (!p) return std::nullopt;
    r.prefix = *p;
  }
  if (f[1] != "None") {
    std::uint32_t asn = 0;
    if (!parse_number(f[1], asn)) return std::nullopt;
    r.asn = asn;
  }
  if (!parse_number(f[2], r.counts.hits) || !parse_number(f[3], r.counts.bytes) ||
      !parse_number(f[4], r.counts.latency_us_sum) || !parse_number(f[5], r.counts.latency_samples))
    return std::nullopt;
  return r;
}

// The whole file, or nullopt when it does not exist. Any other failure (no
// permission, I/O error, out of descriptors, a directory) is an error: the
// counts may be there, only out of reach.
Result<std::optional<std::string>> read_whole_file(const std::string& path) {
  const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd && errno == ENOENT) return std::optional<std::string>();
  if (!fd) return Error{path + ": cannot open the state file: " + std::strerror(errno)};
  std::string text;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error{path + ": cannot read the state file: " + std::strerror(errno)};
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  return std::optional<std::string>(std::move(text));
}

// "history MS" and "step MS MS": the numbers after the keyword, or nullopt.
template <std::size_t N>
std::optional<std::array<std::uint64_t, N>> numbers_after(std::string_view line, std::string_view keyword) {
  if (!line.starts_with(keyword)) return std::nullopt;
  line.remove_prefix(keyword.size());
  std::array<std::uint64_t, N> out{};
  for (std::size_t i = 0; i < N; ++i) {
    auto sp = line.find(' ');
    if ((sp == std::string_view::npos) != (i + 1 == N)) return std::nullopt;
    if (!parse_number(line.substr(0, sp), out[i])) return std::nullopt;
    line = sp == std::string_view::npos ? std::string_view{} : line.substr(sp + 1);
  }
  return out;
}

Result<LoadedState> parse_state(std::string_view text, const std::string& path) {
  std::string_view rest = text;
  auto damaged = [&](std::size_t line_no, const std::string& why) {
    return Error{path + ":" + std::to_string(line_no) + ": damaged state file: " + why};
  };
  LoadedState out;
  bool v2 = false, in_history = false;
  std::size_t lines = 0;
  std::uint64_t sum = kFnvSeed;
  for (std::size_t line_no = 1; !rest.empty(); ++line_no) {
    auto nl = rest.find('\n');
    if (nl == std::string_view::npos) return damaged(line_no, "cut short");
    std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl + 1);
    if (line_no == 1) {
      if (line != kMagic && line != kMagicV1) return damaged(line_no, "not an asncounter state file");
      v2 = line == kMagic;
      continue;
    }
    if (line.starts_with("end ")) {
      if (!rest.empty()) return damaged(line_no + 1, "data after the end line");
      std::string expected = "end " + std::to_string(lines) + " " + std::to_string(sum);
      if (line != expected) return damaged(line_no, "row count or checksum mismatch");
      return out;
    }
    sum = fnv1a(fnv1a(sum, line), "\n");
    ++lines;
    if (v2 && !in_history && line.starts_with("history ")) {
      auto at = numbers_after<1>(line, "history ");
      if (!at || (*at)[0] > INT64_MAX) return damaged(line_no, "malformed history line");
      out.history.saved_at_ms = static_cast<std::int64_t>((*at)[0]);
      in_history = true;
      continue;
    }
    if (in_history && line.starts_with("step ")) {
      auto ages = numbers_after<2>(line, "step ");
      if (!ages || (*ages)[0] > INT64_MAX || (*ages)[1] > INT64_MAX)
        return damaged(line_no, "malformed step line");
      out.history.steps.push_back(SavedStep{std::chrono::milliseconds(static_cast<std::int64_t>((*ages)[0])),
                                            std::chrono::milliseconds(static_cast<std::int64_t>((*ages)[1])),
                                            {}});
      continue;
    }
    auto row = parse_row(line);
    if (!row) return damaged(line_no, "malformed row");
    if (!in_history)
      out.rows.push_back(*row);
    else if (out.history.steps.empty())
      return damaged(line_no, "history row before any step");
    else
      out.history.steps.back().rows.push_back(*row);
  }
  return damaged(1, text.empty() ? "empty" : "no end line (cut short)");
}

}  // namespace

std::string state_path(const std::string& state_dir) {
  return (std::filesystem::path(state_dir) / "counts.state").string();
}

Result<std::size_t> save_state(const std::string& state_dir, const std::vector<PrefixRow>& rows,
                               const SavedHistory* history) {
  // Streamed: a full table's rows are ~50 MB of text, never held whole.
  DurableFile f(state_path(state_dir), 0640);
  f.write(kMagic);
  f.write("\n");
  std::uint64_t sum = kFnvSeed;
  std::size_t lines = 0;
  std::string line;
  auto put = [&] {
    sum = fnv1a(sum, line);
    f.write(line);
    ++lines;
  };
  for (const auto& r : rows) {
    line.clear();
    append_row(line, r);
    put();
  }
  if (history) {
    line = "history " + std::to_string(std::max<std::int64_t>(history->saved_at_ms, 0)) + "\n";
    put();
    for (const SavedStep& s : history->steps) {
      line = "step " + std::to_string(std::max<std::int64_t>(s.age_from.count(), 0)) + " " +
             std::to_string(std::max<std::int64_t>(s.age_to.count(), 0)) + "\n";
      put();
      for (const auto& r : s.rows) {
        line.clear();
        append_row(line, r);
        put();
      }
    }
  }
  f.write("end " + std::to_string(lines) + " " + std::to_string(sum) + "\n");
  if (auto done = f.commit(); !done) return Error{done.error() + " (the counts were not saved)"};
  return rows.size();
}

Result<LoadedState> load_state(const std::string& state_dir) {
  std::string path = state_path(state_dir);
  auto text = read_whole_file(path);
  if (!text) return Error{text.error()};
  LoadedState out;
  if (!*text) return out;
  auto parsed = parse_state(**text, path);
  if (parsed)
    out = std::move(*parsed);
  else
    out.damage = parsed.error();
  return out;
}

std::string set_aside(const std::string& state_dir) { return set_aside_file(state_path(state_dir)); }

std::string set_aside_file(const std::string& from) {
  std::string to = from + ".damaged-" + std::to_string(std::time(nullptr));
  std::error_code ec;
  std::filesystem::rename(from, to, ec);
  return to;
}

}  // namespace asncounter
