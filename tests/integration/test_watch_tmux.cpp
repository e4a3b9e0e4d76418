// `asncounterctl top --watch` in a real terminal (issue 13): the real daemon
// fed at a known pace, the real asncounterctl in a detached tmux session
// (its own server socket), the screen read with capture-pane and `q` sent
// with send-keys. The feeder keeps to an absolute schedule (lines due by
// now, written every 5 ms), so a late wake-up on a loaded machine is made
// up at once. The screen's rate is what the daemon counted between two of
// the client's fetches over the time between them: a delay of d at either
// end (feeder, daemon or client late) moves it by about d / interval, hence
// a 5 s interval: 100 ms late costs 2%, against the 10% allowed.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/daemon_fixture.hpp"

using asncounter::test::DaemonFixture;
using asncounter::test::quote;
using asncounter::test::run_command;

namespace {

using Clock = std::chrono::steady_clock;

constexpr double kPace = 200;        // lines per second, all 192.0.2.1 (AS64496)
constexpr unsigned kInterval = 5;    // top --watch SECONDS
constexpr double kTolerance = 0.10;  // the "within 10%"

// Writes 192.0.2.1 lines into the daemon's FIFO at kPace until stopped.
class PacedFeeder {
 public:
  explicit PacedFeeder(const std::string& fifo) : thread_([this, fifo] { run(fifo); }) {}
  ~PacedFeeder() {
    stop_ = true;
    thread_.join();
  }
  PacedFeeder(const PacedFeeder&) = delete;
  PacedFeeder& operator=(const PacedFeeder&) = delete;

 private:
  void run(const std::string& fifo) {
    int fd = open(fifo.c_str(), O_WRONLY);
    if (fd < 0) return;
    const auto start = Clock::now();
    const std::string line = "192.0.2.1\n";
    while (!stop_) {
      double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
      auto due = static_cast<std::uint64_t>(elapsed * kPace);
      std::string chunk;
      for (std::uint64_t n = written_; n < due; ++n) chunk += line;
      if (!chunk.empty() && write(fd, chunk.data(), chunk.size()) != static_cast<ssize_t>(chunk.size()))
        break;
      if (due > written_) written_ = due;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    close(fd);
  }

  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> written_{0};
  std::thread thread_;
};

// A tmux server of the test's own (-S socket), so nothing else is touched.
class Tmux {
 public:
  explicit Tmux(std::string socket) : socket_(std::move(socket)) {}
  ~Tmux() { run_command(base() + " kill-server >/dev/null 2>&1"); }
  Tmux(const Tmux&) = delete;
  Tmux& operator=(const Tmux&) = delete;

  bool start(const std::string& command, int width = 120, int height = 30) const {
    return run_command("TERM=xterm " + base() + " new-session -d -s watch -x " + std::to_string(width) +
                       " -y " + std::to_string(height) + " " + quote(command))
               .status == 0;
  }
  bool resize(int width, int height) const {
    return run_command(base() + " resize-window -t watch -x " + std::to_string(width) + " -y " +
                       std::to_string(height))
               .status == 0;
  }
  std::string screen() const { return run_command(base() + " capture-pane -p -t watch 2>&1").out; }
  void keys(const std::string& k) const { run_command(base() + " send-keys -t watch " + k); }

 private:
  std::string base() const { return "tmux -S " + quote(socket_); }
  std::string socket_;
};

// Polls the screen until `pred` holds on it (bounded: a broken client must not hang the suite).
template <typename Pred>
std::optional<std::string> wait_screen(const Tmux& tmux, Pred pred, int seconds) {
  for (auto end = Clock::now() + std::chrono::seconds(seconds); Clock::now() < end;) {
    std::string s = tmux.screen();
    if (pred(s)) return s;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return std::nullopt;
}

// The screen's first line (its timestamp changes at every redraw).
std::string header(const std::string& screen) { return screen.substr(0, screen.find('\n')); }

// The rate/s of ASN `asn` on a screen (tabs come out as spaces), if shown.
std::optional<double> rate_of(const std::string& screen, const std::string& asn) {
  std::istringstream in(screen);
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string rate, share, as;
    if (words >> rate >> share >> as && as == asn) {
      try {
        return std::stod(rate);
      } catch (const std::exception&) {
        return std::nullopt;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("top --watch in tmux shows the rate of a stream fed at a known pace, and q quits",
          "[daemon][watch][tmux]") {
  if (!asncounter::test::have_program("tmux")) ASNCOUNTER_SKIP("tmux is not installed (Debian package tmux)");
  DaemonFixture d;
  std::optional<PacedFeeder> feeder;
  feeder.emplace(d.fifo().string());
  REQUIRE(d.wait_for_hits(static_cast<std::uint64_t>(kPace / 2)) >= static_cast<std::uint64_t>(kPace / 2));

  Tmux tmux((d.dir() / "tmux.sock").string());
  REQUIRE(
      tmux.start("sh -c " + quote(quote(d.ctl_bin().string()) + " --socket " + quote(d.socket().string()) +
                                  " top --watch " + std::to_string(kInterval) +
                                  "; echo \"watch exited with $?\"; sleep 120")));

  // The first screen with rates, then the next redraw: an interval that the
  // feeder covered from end to end.
  auto first = wait_screen(
      tmux, [](const std::string& s) { return rate_of(s, "64496").has_value(); }, 60);
  REQUIRE(first);
  auto next = wait_screen(
      tmux, [&](const std::string& s) { return rate_of(s, "64496") && header(s) != header(*first); }, 60);
  REQUIRE(next);
  INFO("screen:\n" << *next);
  CHECK(next->find("rate/s") != std::string::npos);
  CHECK(next->find("100.00%") != std::string::npos);  // the only ASN fed has the whole interval
  double rate = *rate_of(*next, "64496");
  CHECK(rate >= kPace * (1 - kTolerance));
  CHECK(rate <= kPace * (1 + kTolerance));
  // The header's total is the same stream's.
  std::string h = header(*next);
  auto at = h.find(" hits/s");
  REQUIRE(at != std::string::npos);
  double total = std::stod(h.substr(h.rfind(' ', at - 1) + 1));
  CHECK(total == Approx(rate).margin(0.05));

  tmux.keys("q");
  auto quit = wait_screen(
      tmux, [](const std::string& s) { return s.find("watch exited with") != std::string::npos; }, 30);
  REQUIRE(quit);
  CHECK(quit->find("watch exited with 0") != std::string::npos);
  feeder.reset();  // before the daemon goes: no write into a FIFO without a reader
  CHECK(d.stop(SIGTERM) == 0);
}

namespace {

// The screen's lines (capture-pane pads nothing; blank lines at the end dropped).
std::vector<std::string> lines_of(const std::string& screen) {
  std::vector<std::string> out;
  std::istringstream in(screen);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  while (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

// Header on the first line, the column header on the second, ASN 64496
// first on the third: what must stay visible however small the pane.
bool header_and_first_row(const std::string& screen) {
  auto l = lines_of(screen);
  return l.size() >= 3 && l[0].find("ASNs by hits") != std::string::npos && l[1].starts_with("rate/s") &&
         rate_of(l[2], "64496").has_value();
}

}  // namespace

TEST_CASE("top --watch in a 60x10 tmux pane keeps its header and first row through a resize and a restart",
          "[daemon][watch][tmux]") {
  if (!asncounter::test::have_program("tmux")) ASNCOUNTER_SKIP("tmux is not installed (Debian package tmux)");
  DaemonFixture d;
  std::optional<PacedFeeder> feeder;
  feeder.emplace(d.fifo().string());
  REQUIRE(d.wait_for_hits(20) >= 20);

  Tmux tmux((d.dir() / "tmux.sock").string());
  REQUIRE(
      tmux.start("sh -c " + quote(quote(d.ctl_bin().string()) + " --socket " + quote(d.socket().string()) +
                                  " top --watch 1; echo \"watch exited with $?\"; sleep 120"),
                 60, 10));
  auto fits = [](int width, int height) {
    return [=](const std::string& s) {
      auto l = lines_of(s);
      if (!header_and_first_row(s) || l.size() > static_cast<std::size_t>(height)) return false;
      for (const auto& line : l)
        if (line.size() > static_cast<std::size_t>(width)) return false;
      return true;
    };
  };
  auto first = wait_screen(tmux, fits(60, 10), 60);
  INFO("screen:\n" << tmux.screen());
  REQUIRE(first);

  // Smaller: redrawn at once (SIGWINCH), not at the next interval only.
  REQUIRE(tmux.resize(40, 6));
  auto small = wait_screen(tmux, fits(40, 6), 30);
  INFO("after resize:\n" << tmux.screen());
  REQUIRE(small);

  // The daemon restarts: "reconnecting" in the header, the last rows still
  // shown, then rates again from the new daemon; the client never exits.
  feeder.reset();  // no writer on a FIFO whose reader goes away
  REQUIRE(d.stop(SIGTERM) == 0);
  auto waiting = wait_screen(
      tmux,
      [](const std::string& s) {
        auto l = lines_of(s);
        return !l.empty() && l[0].find("reconnecting") != std::string::npos && l.size() >= 3 &&
               rate_of(l[2], "64496").has_value();
      },
      30);
  INFO("while the daemon is away:\n" << tmux.screen());
  REQUIRE(waiting);
  d.start();
  feeder.emplace(d.fifo().string());
  auto back = wait_screen(
      tmux,
      [&](const std::string& s) {
        return fits(40, 6)(s) && lines_of(s)[0].find("hits/s") != std::string::npos;
      },
      60);
  INFO("after the restart:\n" << tmux.screen());
  REQUIRE(back);
  CHECK(back->find("watch exited") == std::string::npos);

  tmux.keys("q");
  auto quit = wait_screen(
      tmux, [](const std::string& s) { return s.find("watch exited with 0") != std::string::npos; }, 30);
  CHECK(quit);
  feeder.reset();
  CHECK(d.stop(SIGTERM) == 0);
}
