// The line inputs with real FIFOs, files, pipes, threads and processes.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "daemon/input/input.hpp"
#include "daemon/input/lines/fd_line_input.hpp"
#include "tests/support/test_support.hpp"

using asncounter::EventBatch;
using asncounter::Input;
using asncounter::InputOptions;
using asncounter::make_input;
using asncounter::test::TempDir;

namespace {

// A sink that remembers every hit by address text.
struct Collector {
  std::mutex mutex;
  std::map<std::string, std::uint64_t> hits;
  std::uint64_t total = 0;
  std::uint64_t bytes = 0;
  bool saw_bytes = false;

  asncounter::BatchSink sink() {
    return [this](const EventBatch& b) {
      std::lock_guard lock(mutex);
      for (std::size_t i = 0; i < b.size; ++i) {
        hits[asncounter::to_string(b.addrs[i])] += b.hits[i];
        total += b.hits[i];
        bytes += b.bytes[i];
      }
      saw_bytes |= b.has_bytes;
    };
  }
  std::uint64_t seen() {
    std::lock_guard lock(mutex);
    return total;
  }
};

// Waits for a condition another thread brings about. The limit only stops a
// broken build from hanging; nothing here depends on timing.
void wait_until(const std::function<bool()>& done, const char* what,
                const std::function<std::string()>& status = {}) {
  auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!done()) {
    if (std::chrono::steady_clock::now() > limit)
      FAIL("gave up waiting for " << what << (status ? " (" + status() + ")" : std::string()));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::unique_ptr<Input> input(const std::string& spec, bool once, const std::string& format = "plain") {
  InputOptions o;
  o.format = format;
  o.once = once;
  auto r = make_input(spec, o);
  INFO(spec << ": " << (r ? "" : r.error()));
  REQUIRE(r.ok());
  return std::move(r).value();
}

// Distinct documentation-range-free addresses: 10.w.x.y from a number.
std::string address(unsigned writer, unsigned n) {
  return "10." + std::to_string(writer) + "." + std::to_string(n / 256) + "." + std::to_string(n % 256);
}

// Set by writer threads (Catch2's assertions are not thread-safe), checked
// by each test after joining them.
std::atomic<int> g_writer_failures{0};

// Writes lines to an open descriptor, several per write() but each write
// within PIPE_BUF, so that concurrent writers never interleave a line.
void write_lines(int fd, const std::vector<std::string>& lines) {
  std::string chunk;
  auto put = [&] {
    if (fd < 0 || ::write(fd, chunk.data(), chunk.size()) != static_cast<ssize_t>(chunk.size()))
      ++g_writer_failures;
    chunk.clear();
  };
  for (const auto& l : lines) {
    if (chunk.size() + l.size() + 1 > PIPE_BUF) put();
    chunk += l + "\n";
  }
  if (!chunk.empty()) put();
}

void append(const std::filesystem::path& p, unsigned writer, unsigned from, unsigned to) {
  std::ofstream out(p, std::ios::app);
  for (unsigned n = from; n < to; ++n) out << address(writer, n) << "\n";
}

}  // namespace

TEST_CASE("FIFO: writers come and go concurrently, nothing is lost, no EOF", "[line_source]") {
  TempDir dir;
  auto path = dir / "in.fifo";
  auto in = input("fifo:" + path.string(), false);
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK(S_ISFIFO(st.st_mode));
  CHECK((st.st_mode & 0777) == 0660);

  Collector c;
  in->start(c.sink());
  constexpr unsigned kThreads = 4, kRounds = 5, kPerRound = 700;
  std::vector<std::thread> writers;
  for (unsigned w = 0; w < kThreads; ++w) {
    writers.emplace_back([&, w] {
      for (unsigned r = 0; r < kRounds; ++r) {
        // O_NONBLOCK open succeeds only because the input holds a reader.
        int fd = ::open(path.c_str(), O_WRONLY | O_NONBLOCK);
        std::vector<std::string> lines;
        for (unsigned n = r * kPerRound; n < (r + 1) * kPerRound; ++n) lines.push_back(address(w, n));
        int flags = ::fcntl(fd, F_GETFL);
        ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
        write_lines(fd, lines);
        ::close(fd);
      }
    });
  }
  // Two writer processes as well, each opening the FIFO several times.
  for (unsigned p = 0; p < 2; ++p) {
    writers.emplace_back([&, p] {
      std::string cmd = "for i in 1 2 3; do seq 0 99 | sed \"s/^/10.20" + std::to_string(p) + ".$i./\" > " +
                        path.string() + "; done";
      if (asncounter::test::run_command(cmd).status != 0) ++g_writer_failures;
    });
  }
  for (auto& t : writers) t.join();
  REQUIRE(g_writer_failures == 0);
  constexpr std::uint64_t kExpected = kThreads * kRounds * kPerRound + 2 * 3 * 100;
  // The last lines arrive with an idle flush, before any stop().
  wait_until([&] { return c.seen() == kExpected; }, "every line",
             [&] {
               auto k = in->counters();
               return "seen " + std::to_string(c.seen()) + ", events " + std::to_string(k.events) +
                      ", rejected " + std::to_string(k.rejected) + ", state " + k.state.text();
             });
  auto counters = in->counters();
  CHECK(counters.state.phase == asncounter::InputPhase::running);  // writers left, the reader saw no end
  in->stop();
  counters = in->counters();
  CHECK(counters.events == kExpected);
  CHECK(counters.rejected == 0);
  CHECK(counters.state.phase == asncounter::InputPhase::stopped);
  CHECK(c.hits.size() == kExpected);  // every address once: no line doubled, none torn
  for (unsigned w = 0; w < kThreads; ++w)
    for (unsigned n = 0; n < kRounds * kPerRound; n += 97) CHECK(c.hits[address(w, n)] == 1);
  CHECK(c.hits["10.201.3.99"] == 1);
}

TEST_CASE("FIFO in once mode: read until the last writer closes", "[line_source]") {
  TempDir dir;
  auto path = dir / "once.fifo";
  auto in = input("fifo:" + path.string(), true);
  Collector c;
  in->start(c.sink());
  int holder = ::open(path.c_str(), O_WRONLY);  // the first writer keeps it open throughout
  REQUIRE(holder >= 0);
  std::vector<std::thread> writers;
  for (unsigned w = 0; w < 3; ++w) {
    writers.emplace_back([&, w] {
      for (unsigned r = 0; r < 3; ++r) {
        int fd = ::open(path.c_str(), O_WRONLY);
        std::vector<std::string> lines;
        for (unsigned n = 0; n < 500; ++n) lines.push_back(address(w, r * 500 + n));
        lines.push_back("not an address");
        write_lines(fd, lines);
        ::close(fd);
      }
    });
  }
  for (auto& t : writers) t.join();
  REQUIRE(g_writer_failures == 0);
  write_lines(holder, {"192.0.2.1", "", "# comment"});
  ::close(holder);
  in->wait();  // returns by itself: all writers are gone
  auto counters = in->counters();
  CHECK(counters.state.phase == asncounter::InputPhase::finished);
  CHECK(counters.events == 3 * 3 * 500 + 1);
  CHECK(counters.rejected == 3 * 3);
  CHECK(c.seen() == 3 * 3 * 500 + 1);
}

TEST_CASE("FIFO: an existing path that is not a FIFO is an error", "[line_source]") {
  TempDir dir;
  std::ofstream(dir / "plain.txt") << "x\n";
  InputOptions o;
  auto r = make_input("fifo:" + (dir / "plain.txt").string(), o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().find("not a FIFO") != std::string::npos);
  o.format = "nonsense";
  auto bad = make_input("fifo:" + (dir / "f").string(), o);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().find("nonsense") != std::string::npos);
}

// A member of a group-writable input directory could put a link where the
// FIFO goes: it is refused, and what it points at keeps its mode.
TEST_CASE("FIFO: a symbolic link at the path is refused, its target left alone",
          "[line_source][adversarial]") {
  TempDir dir;
  TempDir outside;
  auto target = outside / "victim.fifo";
  REQUIRE(::mkfifo(target.c_str(), 0600) == 0);
  REQUIRE(::chmod(target.c_str(), 0600) == 0);
  std::filesystem::create_symlink(target, dir / "input.fifo");
  auto r = make_input("fifo:" + (dir / "input.fifo").string(), InputOptions{});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().find("symbolic link") != std::string::npos);
  struct stat st {};
  REQUIRE(::stat(target.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);
  // A link to a plain file: refused too, the file neither changed nor chmod-ed.
  std::ofstream(outside / "victim.txt") << "precious\n";
  REQUIRE(::chmod((outside / "victim.txt").c_str(), 0644) == 0);
  std::filesystem::create_symlink(outside / "victim.txt", dir / "other.fifo");
  REQUIRE_FALSE(make_input("fifo:" + (dir / "other.fifo").string(), InputOptions{}).ok());
  REQUIRE(::stat((outside / "victim.txt").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0644);
  CHECK(std::filesystem::file_size(outside / "victim.txt") == 9);
}

TEST_CASE("stop() returns while the reader is blocked with nothing to read", "[line_source]") {
  TempDir dir;
  auto in = input("fifo:" + (dir / "idle.fifo").string(), false);
  Collector c;
  in->start(c.sink());
  in->stop();  // would hang here if the reader could not be woken
  CHECK(in->counters().state.phase == asncounter::InputPhase::stopped);
  in->stop();  // twice is harmless
}

TEST_CASE("file: followed across rotation by rename and by truncation, no line lost", "[line_source]") {
  TempDir dir;
  auto log = dir / "access.log";
  append(log, 9, 0, 1000);  // already there at start: skipped, like tail -F
  auto in = input("file:" + log.string(), false);
  Collector c;
  in->start(c.sink());
  wait_until([&] { return in->counters().state.phase == asncounter::InputPhase::running; },
             "the file to be opened");

  // A writer that holds its descriptor across the rename, like nginx until
  // it is told to reopen.
  std::FILE* writer = std::fopen(log.c_str(), "a");
  REQUIRE(writer);
  auto write = [&](unsigned from, unsigned to) {
    for (unsigned n = from; n < to; ++n) std::fprintf(writer, "%s\n", address(1, n).c_str());
    std::fflush(writer);
  };
  write(0, 3000);
  wait_until([&] { return c.seen() == 3000; }, "lines before the rotation");
  std::filesystem::rename(log, dir / "access.log.1");
  write(3000, 3500);        // still into the renamed file
  append(log, 2, 0, 2000);  // the new file
  wait_until([&] { return c.seen() == 3500 + 2000; }, "the switch to the new file");
  CHECK(in->counters().reopens == 1);
  // The old writer has not reopened yet: the old file, already read to
  // its end and switched away from, is still watched for a while.
  write(3500, 3600);
  std::fclose(writer);
  wait_until([&] { return c.seen() == 3600 + 2000; }, "late lines in the rotated file");

  // copytruncate: emptied in place, then written again from offset 0.
  std::filesystem::resize_file(log, 0);
  wait_until([&] { return in->counters().reopens == 2; }, "the truncation to be seen");
  append(log, 3, 0, 50);
  wait_until([&] { return c.seen() == 5600 + 50; }, "lines after the truncation");

  in->stop();
  auto counters = in->counters();
  CHECK(counters.events == 5650);
  CHECK(counters.rejected == 0);
  CHECK(c.hits.size() == 5650);  // each address once: nothing read twice
  CHECK(c.hits.count(address(9, 0)) == 0);
  CHECK(c.hits[address(1, 3599)] == 1);
  CHECK(c.hits[address(2, 0)] == 1);
  CHECK(c.hits[address(3, 49)] == 1);
}

TEST_CASE("file: a missing file is waited for, then read from its start", "[line_source]") {
  TempDir dir;
  auto log = dir / "later.log";
  auto in = input("file:" + log.string(), false, "field:2");
  Collector c;
  in->start(c.sink());
  wait_until([&] { return in->counters().state.phase == asncounter::InputPhase::waiting; },
             "the input to wait");
  {
    std::ofstream out(log);
    out << "x 192.0.2.1\nx 192.0.2.2\nbroken\n";
  }
  wait_until([&] { return c.seen() == 2; }, "the new file's lines");
  wait_until([&] { return in->counters().rejected == 1; }, "the broken line");
  in->stop();
  CHECK(in->counters().state.phase == asncounter::InputPhase::stopped);
}

TEST_CASE("file in once mode reads from the start, and a missing one is an error", "[line_source]") {
  TempDir dir;
  auto log = dir / "once.log";
  append(log, 1, 0, 20000);
  {
    std::ofstream out(log, std::ios::app);
    out << std::string(100 * 1024, 'x') << "\n"
        << "192.0.2.200";  // oversized, then no final newline
  }
  auto in = input("file:" + log.string(), true);
  Collector c;
  in->start(c.sink());
  in->wait();
  auto counters = in->counters();
  CHECK(counters.state.phase == asncounter::InputPhase::finished);
  CHECK(counters.events == 20001);
  CHECK(counters.oversized == 1);
  CHECK(counters.rejected == 1);
  CHECK(c.hits["192.0.2.200"] == 1);

  InputOptions o;
  o.once = true;
  auto missing = make_input("file:" + (dir / "nope").string(), o);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().find("nope") != std::string::npos);
}

TEST_CASE("a pipe descriptor (as stdin) with sizes and times", "[line_source]") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  InputOptions o;
  o.format = "field:1,bytes:2,latency:3";
  auto r = asncounter::make_fd_line_input(fds[0], "-", o);
  REQUIRE(r.ok());
  auto in = std::move(r).value();
  Collector c;
  in->start(c.sink());
  std::thread writer([&] {
    write_lines(fds[1],
                {"192.0.2.1 100 0.5", "[2001:db8::1]:80 23 -", "garbage", "", "198.51.100.1 - 0.001"});
    ::close(fds[1]);
  });
  in->wait();
  writer.join();
  CHECK(in->counters().events == 3);
  CHECK(in->counters().rejected == 1);
  CHECK(c.bytes == 123);
  CHECK(c.saw_bytes);
}

TEST_CASE("stdin: a child process reads its real stdin", "[line_source]") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::dup2(fds[0], 0);
    ::close(fds[0]);
    ::close(fds[1]);
    InputOptions o;
    o.once = true;
    auto child_in = make_input("-", o);
    if (!child_in) ::_exit(3);
    Collector c;
    (*child_in)->start(c.sink());
    (*child_in)->wait();
    ::_exit(c.seen() == 3000 && (*child_in)->counters().state.phase == asncounter::InputPhase::finished ? 0
                                                                                                        : 1);
  }
  ::close(fds[0]);
  std::vector<std::string> lines;
  for (unsigned n = 0; n < 3000; ++n) lines.push_back(address(4, n));
  write_lines(fds[1], lines);
  ::close(fds[1]);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("many inputs at once: total events equal lines written", "[line_source]") {
  TempDir dir;
  Collector c;
  std::vector<std::unique_ptr<Input>> inputs;
  std::uint64_t written = 0;
  for (unsigned f = 0; f < 3; ++f) {
    auto p = dir / ("f" + std::to_string(f) + ".log");
    append(p, f, 0, 10000 + f);
    written += 10000 + f;
    inputs.push_back(input("file:" + p.string(), true));
  }
  std::vector<std::string> fifos;
  for (unsigned f = 0; f < 3; ++f) {
    fifos.push_back((dir / ("p" + std::to_string(f))).string());
    inputs.push_back(input("fifo:" + fifos.back(), false));
  }
  for (auto& in : inputs) in->start(c.sink());
  std::vector<std::thread> writers;
  for (unsigned f = 0; f < 3; ++f) {
    writers.emplace_back([&, f] {
      for (unsigned r = 0; r < 4; ++r) {
        int fd = ::open(fifos[f].c_str(), O_WRONLY);
        std::vector<std::string> lines;
        for (unsigned n = 0; n < 2500; ++n) lines.push_back(address(100 + f, r * 2500 + n));
        write_lines(fd, lines);
        ::close(fd);
      }
    });
  }
  written += 3 * 4 * 2500;
  for (auto& t : writers) t.join();
  REQUIRE(g_writer_failures == 0);
  wait_until([&] { return c.seen() == written; }, "every input's lines");
  std::uint64_t events = 0;
  for (auto& in : inputs) {
    in->stop();
    events += in->counters().events;
  }
  CHECK(events == written);
  CHECK(c.seen() == written);
  CHECK(c.hits.size() == written);
}

TEST_CASE("An input state reads as stats has always shown it", "[line_source]") {
  using asncounter::InputPhase;
  using asncounter::InputState;
  CHECK(InputState{}.text() == "created");
  CHECK(InputState{InputPhase::running}.text() == "running");
  CHECK(InputState{InputPhase::waiting}.text() == "waiting");
  CHECK(InputState{InputPhase::finished}.text() == "finished");
  CHECK(InputState{InputPhase::stopped}.text() == "stopped");
  CHECK(InputState::failed("open /x: No such file").text() == "error: open /x: No such file");
}
