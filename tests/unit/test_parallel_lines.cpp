// Line inputs read on several threads (--threads) count exactly what the
// one-thread reader counts: every event with its hits, bytes and latency,
// and the rejected and oversized lines, on files and on pipes; in --once
// (parallel_lines.hpp) and in the daemon when an input falls behind
// (line_offload.hpp).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <tuple>

#include "daemon/input/input.hpp"
#include "daemon/input/lines/fd_line_input.hpp"
#include "daemon/input/lines/line_splitter.hpp"
#include "daemon/input/lines/parallel_lines.hpp"
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
  std::set<std::thread::id> threads;  // that called the sink
};

// A sink that records what it is handed, from whichever threads call it.
struct Recorder {
  Seen seen;
  std::mutex m;
  void start(Input& in) {
    in.start([this](const EventBatch& b) {
      std::lock_guard lock(m);
      for (std::size_t i = 0; i < b.size; ++i)
        ++seen.events[{asncounter::to_string(b.addrs[i]), b.hits[i], b.bytes[i], b.latency_us[i]}];
      seen.batches_with_bytes += b.has_bytes;
      seen.threads.insert(std::this_thread::get_id());
    });
  }
};

Seen drain(std::unique_ptr<Input> in) {
  Recorder r;
  r.start(*in);
  in->wait();
  r.seen.counters = in->counters();
  return std::move(r.seen);
}

// Waits until `in` has counted `n` events. Not a timing test: the limit
// only keeps a broken build from hanging.
void wait_events(const Input& in, std::uint64_t n) {
  auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (in.counters().events < n && std::chrono::steady_clock::now() < limit)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  REQUIRE(in.counters().events == n);
}

InputOptions options(const std::string& format, unsigned threads, bool once = true) {
  InputOptions o;
  o.format = format;
  o.once = once;
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

// The daemon's line inputs (not --once): one thread while they keep up,
// workers for the runs of lines they fall behind on.
namespace {

// stdin redirected from a file in the daemon: every read fills the
// reader's buffer, so from the second read on it is behind, whatever the
// machine's speed.
Seen daemon_from_file(const std::string& path, const std::string& format, unsigned threads) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  auto in = asncounter::make_fd_line_input(fd, "-", options(format, threads, false));
  REQUIRE(in.ok());
  return drain(std::move(*in));
}

// A pipe (stdin, or a FIFO's stream) in the daemon, enlarged to 1 MiB and
// filled before the input starts, so that its first reads find a backlog
// (deterministically); a writer thread then sends the rest as fast as the
// pipe takes it. Without the larger pipe (a lower pipe-max-size), only the
// counts can be checked.
Seen daemon_from_pipe(const std::string& text, const std::string& format, unsigned threads, bool& prefilled) {
  int fds[2];
  REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
  const int cap = ::fcntl(fds[1], F_SETPIPE_SZ, 1 << 20);
  prefilled = cap >= (1 << 20);
  std::size_t done = 0;
  if (prefilled) {
    done = std::min<std::size_t>(text.size(), static_cast<std::size_t>(cap));
    REQUIRE(::write(fds[1], text.data(), done) == static_cast<ssize_t>(done));
  }
  auto in = asncounter::make_fd_line_input(fds[0], "pipe", options(format, threads, false));
  REQUIRE(in.ok());
  std::thread writer([fd = fds[1], &text, done]() mutable {
    while (done < text.size()) {
      ssize_t w = ::write(fd, text.data() + done, std::min<std::size_t>(text.size() - done, 100000));
      if (w <= 0) break;
      done += static_cast<std::size_t>(w);
    }
    ::close(fd);
  });
  Seen s = drain(std::move(*in));
  writer.join();
  return s;
}

}  // namespace

TEST_CASE("daemon line input behind its writer: workers count too, exactly what one thread counts",
          "[parallel_lines]") {
  TempDir dir;
  for (bool last_newline : {false, true}) {
    const std::string text = make_text(last_newline);
    const std::string path = (dir / "log").string();
    std::ofstream(path, std::ios::binary) << text;
    for (const std::string format : {"plain", "field:1,bytes:8,latency:9"}) {
      INFO(format << (last_newline ? " with" : " without") << " a last newline");
      Seen ref = from_pipe(text, format, 1);
      REQUIRE(ref.counters.state.phase == asncounter::InputPhase::finished);
      // --threads 1: the reader alone, as before.
      Seen one = daemon_from_file(path, format, 1);
      check_same(one, ref);
      CHECK(one.threads.size() == 1);
      for (unsigned threads : {2U, 3U}) {
        INFO(threads << " threads");
        Seen f = daemon_from_file(path, format, threads);
        check_same(f, ref);
        CHECK(f.threads.size() >= 2);  // the reader and at least one worker
        CHECK(f.threads.size() <= threads);
        bool prefilled = false;
        Seen p = daemon_from_pipe(text, format, threads, prefilled);
        check_same(p, ref);
        if (prefilled) CHECK(p.threads.size() >= 2);
      }
    }
  }
}

TEST_CASE("daemon FIFO with workers: a burst then a few lines, writers come and go, no EOF",
          "[parallel_lines]") {
  TempDir dir;
  const std::string path = (dir / "fifo").string();
  const std::string text = make_text(true);
  const Seen ref = from_pipe(text, "plain", 1);
  auto made = asncounter::make_input("fifo:" + path, options("plain", 2, false));
  REQUIRE(made.ok());
  std::unique_ptr<Input> in = std::move(*made);
  Recorder r;
  r.start(*in);
  Seen& seen = r.seen;
  std::mutex& m = r.m;
  auto write_all = [&](const std::string& t) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    ::fcntl(fd, F_SETPIPE_SZ, 1 << 20);  // bigger writes, the reader finds more waiting
    std::size_t done = 0;
    while (done < t.size()) {
      ssize_t w = ::write(fd, t.data() + done, t.size() - done);
      REQUIRE(w > 0);
      done += static_cast<std::size_t>(w);
    }
    ::close(fd);
  };
  // Two writers one after the other, each a burst: the FIFO stays open.
  write_all(text);
  write_all(text);
  wait_events(*in, 2 * ref.counters.events);
  // A few lines on an idle FIFO are counted without more coming.
  write_all("192.0.2.1\n192.0.2.2\n192.0.2.3\n");
  wait_events(*in, 2 * ref.counters.events + 3);
  auto c = in->counters();
  CHECK(c.state.phase == asncounter::InputPhase::running);
  CHECK(c.rejected == 2 * ref.counters.rejected);
  CHECK(c.oversized == 2 * ref.counters.oversized);
  in->stop();
  CHECK(in->counters().state.phase == asncounter::InputPhase::stopped);
  std::lock_guard lock(m);
  auto want = ref.events;
  for (auto& [k, n] : want) n *= 2;
  for (const char* a : {"192.0.2.1", "192.0.2.2", "192.0.2.3"}) ++want[{a, 1, 0, UINT32_MAX}];
  CHECK(seen.events == want);
}

TEST_CASE("daemon followed file with workers: appears then rotates and counts exact", "[parallel_lines]") {
  TempDir dir;
  const std::string path = (dir / "log").string();
  const std::string text = make_text(true);
  const Seen ref = from_pipe(text, "field:1,bytes:8,latency:9", 1);
  auto made = asncounter::make_input("file:" + path, options("field:1,bytes:8,latency:9", 2, false));
  REQUIRE(made.ok());
  std::unique_ptr<Input> in = std::move(*made);
  Recorder r;
  r.start(*in);
  Seen& seen = r.seen;
  std::mutex& m = r.m;
  // A file there at start is read from its end (tail -F): wait until the
  // input has found none. One that appears is read from its start: whole
  // reads, the reader is behind from its second read on.
  auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (in->counters().state.phase != asncounter::InputPhase::waiting &&
         std::chrono::steady_clock::now() < limit)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  REQUIRE(in->counters().state.phase == asncounter::InputPhase::waiting);
  std::ofstream(path + ".new", std::ios::binary) << text;
  std::filesystem::rename(path + ".new", path);
  wait_events(*in, ref.counters.events);
  {
    std::lock_guard lock(m);
    CHECK(seen.threads.size() == 2);
  }
  // Rotated by rename, a new file with the same lines: read from its start.
  std::filesystem::rename(path, path + ".1");
  std::ofstream(path + ".new", std::ios::binary) << text;
  std::filesystem::rename(path + ".new", path);
  wait_events(*in, 2 * ref.counters.events);
  auto c = in->counters();
  CHECK(c.rejected == 2 * ref.counters.rejected);
  CHECK(c.oversized == 2 * ref.counters.oversized);
  CHECK(c.reopens == 1);
  CHECK(c.state.phase == asncounter::InputPhase::running);
  in->stop();
  CHECK(in->counters().state.phase == asncounter::InputPhase::stopped);
  std::lock_guard lock(m);
  auto want = ref.events;
  for (auto& [k, n] : want) n *= 2;
  CHECK(seen.events == want);
}

TEST_CASE("daemon line input with workers: stop mid-burst ends every thread and counts what was read",
          "[parallel_lines]") {
  int fds[2];
  REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
  REQUIRE(::fcntl(fds[1], F_SETFL, O_NONBLOCK) == 0);
  auto made = asncounter::make_fd_line_input(fds[0], "pipe", options("plain", 3, false));
  REQUIRE(made.ok());
  std::unique_ptr<Input> in = std::move(*made);
  std::mutex m;
  std::uint64_t received = 0;
  std::set<std::thread::id> threads;
  in->start([&](const EventBatch& b) {
    std::lock_guard lock(m);
    received += b.size;
    threads.insert(std::this_thread::get_id());
  });
  // The writer keeps the pipe full until told to stop; it never closes it
  // before the input is stopped, so only stop() ends the input.
  std::atomic<bool> done{false};
  std::thread writer([fd = fds[1], &done] {
    std::string lines;
    for (int i = 0; i < 20000; ++i)
      lines += "192.0." + std::to_string(i % 256) + "." + std::to_string(i % 199) + "\n";
    std::size_t at = 0;
    while (!done.load()) {
      ssize_t w = ::write(fd, lines.data() + at, lines.size() - at);
      if (w > 0)
        at = (at + static_cast<std::size_t>(w)) % lines.size();
      else
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  // Enough counted that the reader has been behind a while (the pipe is
  // kept full); not a timing test, the limit only stops a broken build.
  auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (in->counters().events < 2000000 && std::chrono::steady_clock::now() < limit)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  in->stop();
  done = true;
  writer.join();
  ::close(fds[1]);
  const auto c = in->counters();
  CHECK(c.state.phase == asncounter::InputPhase::stopped);
  CHECK(c.events >= 2000000);
  CHECK(c.rejected == 0);
  std::lock_guard lock(m);
  CHECK(received == c.events);
}
