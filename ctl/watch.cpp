#include "ctl/watch.hpp"

#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <optional>
#include <ostream>
#include <sstream>
#include <vector>

#include "common/report.hpp"
#include "common/text_escape.hpp"
#include "ctl/exit_codes.hpp"

namespace asncounter::ctl {
namespace {

using Clock = std::chrono::steady_clock;

// Keys: the ASN, or -1 for unrouted hits.
using Counts = std::map<std::int64_t, std::pair<std::uint64_t, std::string>>;

std::optional<Counts> counts_of(const std::string& result) {
  auto table = report_from_json(result, false);
  if (!table) return std::nullopt;
  Counts c;
  for (const auto& r : table->rows)
    c[r.asn ? std::int64_t{*r.asn} : -1] = {r.count, r.name ? escaped(*r.name) : std::string()};
  return c;
}

// The terminal in non-canonical mode without echo or signals (Ctrl-C arrives
// as a byte, so the terminal is always restored), for as long as it lives.
class RawTerminal {
 public:
  RawTerminal() {
    if (tcgetattr(STDIN_FILENO, &saved_) != 0) return;
    termios raw = saved_;
    raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO | ISIG);
    raw.c_cc[VMIN] = 0;
    raw.c_cc[VTIME] = 0;
    active_ = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
  }
  ~RawTerminal() {
    if (active_) tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
  }
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;
  bool active() const { return active_; }

 private:
  termios saved_{};
  bool active_ = false;
};

// Waits until `deadline`; false when the user asked to quit (q, Q, Ctrl-C, end of input).
bool wait_keys(Clock::time_point deadline, bool keys) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return true;
    pollfd p{STDIN_FILENO, POLLIN, 0};
    int ready = poll(keys ? &p : nullptr, keys ? 1 : 0, static_cast<int>(left));
    if (ready <= 0 || !keys) continue;
    char ch = 0;
    if (read(STDIN_FILENO, &ch, 1) != 1) return true;
    if (ch == 'q' || ch == 'Q' || ch == 3) return false;
  }
}

std::string screen(const Counts& before, const Counts& now, double seconds, unsigned interval,
                   std::size_t rows) {
  struct Row {
    std::int64_t asn;
    std::uint64_t gained;
    const std::string* name;
  };
  std::vector<Row> moved;
  std::uint64_t total = 0;
  for (const auto& [asn, entry] : now) {
    auto prev = before.find(asn);
    std::uint64_t was = prev == before.end() ? 0 : prev->second.first;
    // A reset in between: what is there now is new.
    std::uint64_t gained = entry.first >= was ? entry.first - was : entry.first;
    total += gained;
    if (gained) moved.push_back({asn, gained, &entry.second});
  }
  std::sort(moved.begin(), moved.end(), [](const Row& a, const Row& b) {
    return a.gained != b.gained ? a.gained > b.gained : a.asn < b.asn;
  });
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(1);
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  out << "asncounterctl top --watch " << interval << "  " << when << "  "
      << static_cast<double>(total) / seconds << " hits/s over the last " << seconds << " s  (q quits)\n";
  out << "rate/s\tshare\tASN\tAS\n";
  for (std::size_t i = 0; i < moved.size() && (rows == 0 || i < rows); ++i) {
    const Row& r = moved[i];
    out << static_cast<double>(r.gained) / seconds << '\t' << format_percent(r.gained, total) << "%\t"
        << (r.asn < 0 ? std::string("None") : std::to_string(r.asn)) << '\t'
        << (r.asn < 0 ? std::string("None") : *r.name) << "\n";
  }
  return out.str();
}

}  // namespace

int watch_top(const FetchTop& fetch, unsigned seconds, std::size_t rows, std::ostream& out,
              std::ostream& err) {
  const bool tty = isatty(STDOUT_FILENO) && isatty(STDIN_FILENO);
  std::optional<RawTerminal> raw;
  if (tty) raw.emplace();
  const bool keys = raw && raw->active();
  std::string result;
  if (int rc = fetch(result)) return rc;
  auto before = counts_of(result);
  if (!before) return err << "asncounterctl: malformed top answer\n", kExitDaemonError;
  auto then = Clock::now();
  if (tty)
    out << "\x1b[H\x1b[2J"
        << "asncounterctl top --watch " << seconds << ": first rates in " << seconds << " s (q quits)\n"
        << std::flush;
  bool first = true;
  while (wait_keys(then + std::chrono::seconds(seconds), keys)) {
    if (int rc = fetch(result)) return rc;
    auto now = Clock::now();
    auto counts = counts_of(result);
    if (!counts) return err << "asncounterctl: malformed top answer\n", kExitDaemonError;
    double elapsed = std::chrono::duration<double>(now - then).count();
    std::string text = screen(*before, *counts, elapsed, seconds, rows);
    if (tty)
      out << "\x1b[H\x1b[2J" << text;
    else
      out << (first ? "" : "\n") << text;
    out << std::flush;
    if (!out) return kExitOk;  // the reader went away
    first = false;
    before = std::move(counts);
    then = now;
  }
  return kExitOk;
}

}  // namespace asncounter::ctl
