// Line inputs read on several threads (--threads) count exactly what the
// one-thread reader counts: every event with its hits, bytes and latency,
// and the rejected and oversized lines, on files and on pipes.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <tuple>

#include "daemon/input/fd_line_input.hpp"
#include "daemon/input/input.hpp"
#include "daemon/input/line_splitter.hpp"
#include "daemon/input/parallel_lines.hpp"
#include "tests/support/test_support.hpp"

using asncounter::EventBatch;
using asncounter::Input;
using asncounter::InputOptions;
using asncounter::test::TempDir;

namespace {

// What an input handed over, order aside.
struct Seen {
  std::map<std::tuple<std::string, std::uint32_t, std::uint64_t, std::uint32_t>, std::uint64_t> events;
  std::uint64_t batches_with_bytes = 0;
  asncounter::InputCounters counters;
};

Seen drain(std::unique_ptr<Input> in) {
  Seen seen;
  std::mutex m;
  in->start([&](const EventBatch& b) {
    std::lock_guard lock(m);
    for (std::size_t i = 0; i < b.size; ++i)
      ++seen.events[{asncounter::to_string(b.addrs[i]), b.hits[i], b.bytes[i], b.latency_us[i]}];
    seen.batches_with_bytes += b.has_bytes;
  });
  in->wait();
  seen.counters = in->counters();
  return seen;
}

InputOptions options(const std::string& format, unsigned threads) {
  InputOptions o;
  o.format = format;
  o.once = true;
  o.threads = threads;
  return o;
}

Seen from_file(const std::string& path, const std::string& format, unsigned threads) {
  auto in = asncounter::make_input("file:" + path, options(format, threads));
  REQUIRE(in.ok());
  return drain(std::move(*in));
}

// Through a pipe written by another thread: the stream path.
Seen from_pipe(const std::string& text, const std::string& format, unsigned threads) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  std::thread writer([fd = fds[1], &text] {
    std::size_t done = 0;
    while (done < text.size()) {
      // Uneven writes, so that chunks end anywhere in a line.
      std::size_t n = std::min<std::size_t>(text.size() - done, 1 + (done * 7919) % 200000);
      ssize_t w = ::write(fd, text.data() + done, n);
      if (w <= 0) break;
      done += static_cast<std::size_t>(w);
    }
    ::close(fd);
  });
  auto in = asncounter::make_fd_line_input(fds[0], "pipe", options(format, threads));
  REQUIRE(in.ok());
  Seen s = drain(std::move(*in));
  writer.join();
  return s;
}

// Several MiB of log lines: plain addresses of both families, CRLF endings,
// junk, blanks, comments, fields with bytes and latency, lines just under,
// at and over the 64 KiB limit (one over a whole stream chunk), and a last
// line without its newline.
std::string make_text(bool last_newline) {
  std::mt19937 rng(16);
  std::string t;
  const std::size_t max = asncounter::LineSplitter::kMaxLine;
  for (int i = 0; i < 50000; ++i) {
    auto k = static_cast<unsigned>(rng() % 100);
    std::string a = std::to_string(rng() % 224 + 1) + "." + std::to_string(rng() % 256) + "." +
                    std::to_string(rng() % 256) + "." + std::to_string(rng() % 256);
    if (k < 50)
      t += a + "\n";
    else if (k < 60)
      t += a + "\r\n";
    else if (k < 68)
      t += "2001:db8:" + std::to_string(rng() % 100) + "::" + std::to_string(rng() % 9) + "\n";
    else if (k < 75)
      t += a + " - - [x] \"GET / HTTP/1.1\" 200 " + std::to_string(rng() % 5000) + " 0." +
           std::to_string(rng() % 1000) + "\r\n";
    else if (k < 80)
      t += "  " + a + "  # comment\n";
    else if (k < 84)
      t += (k % 2 ? "\n" : "# only a comment\n");
    else if (k < 90)
      t += (k % 3 == 0 ? "garbage\n" : k % 3 == 1 ? "300.1.2.3\n" : "01.2.3.4\n");
    else if (k < 93)
      t += "[" + a + "]\n";
    else
      t += a + ":8080\n";
    if (i % 20000 == 1) t += std::string(max - 1, 'x') + "\n";             // just under: rejected
    if (i % 20000 == 2) t += a + std::string(max - a.size(), ' ') + "\n";  // at the limit: an event
    if (i % 20000 == 3) t += std::string(max + 1, 'y') + "\r\n";           // over
    if (i % 40000 == 4) t += std::string(3 * max, 'z') + "\n";             // well over
  }
  t += std::string((std::size_t{1} << 20) + 12345, 'w') + "\n";  // over a whole stream chunk
  t += "192.0.2.77\r\n198.51.100.1";
  if (last_newline) t += "\n";
  return t;
}

void check_same(const Seen& a, const Seen& b) {
  CHECK(a.counters.events == b.counters.events);
  CHECK(a.counters.rejected == b.counters.rejected);
  CHECK(a.counters.oversized == b.counters.oversized);
  CHECK(a.counters.state.phase == b.counters.state.phase);
  CHECK(a.events == b.events);
}

}  // namespace

TEST_CASE("parallel lines: 4 threads count exactly what one thread counts, files and pipes",
          "[parallel_lines]") {
  TempDir dir;
  for (bool last_newline : {false, true}) {
    const std::string text = make_text(last_newline);
    const std::string path = (dir / "log").string();
    std::ofstream(path, std::ios::binary) << text;
    for (const std::string format : {"plain", "field:1,bytes:8,latency:9"}) {
      INFO(format << (last_newline ? " with" : " without") << " a last newline");
      // The reference: the one-thread reader (a pipe with --threads 1).
      Seen ref = from_pipe(text, format, 1);
      REQUIRE(ref.counters.events > 35000);
      CHECK(ref.counters.oversized == 3 + 2 + 1);
      CHECK(ref.counters.state.phase == asncounter::InputPhase::finished);
      if (format == "plain") CHECK(ref.events.count({"198.51.100.1", 1, 0, UINT32_MAX}) == 1);
      for (unsigned threads : {1U, 2U, 4U, 7U}) {
        INFO(threads << " threads");
        check_same(from_file(path, format, threads), ref);
        if (threads > 1) check_same(from_pipe(text, format, threads), ref);
      }
    }
  }
}

TEST_CASE("parallel lines: empty and newline-only inputs, a file read from an offset", "[parallel_lines]") {
  TempDir dir;
  for (const std::string text : {"", "\n", "\r\n", "192.0.2.1", "x\n"}) {
    const std::string path = (dir / "f").string();
    std::ofstream(path, std::ios::binary) << text;
    Seen ref = from_pipe(text, "plain", 1);
    check_same(from_file(path, "plain", 3), ref);
    check_same(from_pipe(text, "plain", 3), ref);
  }
  // stdin redirected from a file that was partly read: from where it stands.
  const std::string path = (dir / "g").string();
  std::ofstream(path, std::ios::binary) << "192.0.2.1\n192.0.2.2\n192.0.2.3\n";
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  REQUIRE(::lseek(fd, 10, SEEK_SET) == 10);
  auto in = asncounter::make_fd_line_input(fd, "-", options("plain", 2));
  REQUIRE(in.ok());
  Seen s = drain(std::move(*in));
  CHECK(s.counters.events == 2);
  CHECK(s.events.count({"192.0.2.1", 1, 0, UINT32_MAX}) == 0);
}

TEST_CASE("parallel lines: stop ends the reader and the workers", "[parallel_lines]") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  auto in = asncounter::make_fd_line_input(fds[0], "pipe", options("plain", 3));
  REQUIRE(in.ok());
  std::mutex m;
  std::uint64_t n = 0;
  (*in)->start([&](const EventBatch& b) {
    std::lock_guard lock(m);
    n += b.size;
  });
  std::string lines;
  for (int i = 0; i < 1000; ++i) lines += "192.0.2." + std::to_string(i % 256) + "\n";
  REQUIRE(::write(fds[1], lines.data(), lines.size()) == static_cast<ssize_t>(lines.size()));
  // The writer stays open: only stop() can end the input.
  (*in)->stop();
  CHECK((*in)->counters().state.phase == asncounter::InputPhase::stopped);
  std::lock_guard lock(m);
  CHECK(n == (*in)->counters().events);
  ::close(fds[1]);
}

TEST_CASE("parallel lines: --threads 0 means the cores this process may use", "[parallel_lines]") {
  CHECK(asncounter::available_cores() >= 1);
}
