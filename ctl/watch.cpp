#include "ctl/watch.hpp"

#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <vector>

#include "common/report.hpp"
#include "common/text_escape.hpp"
#include "ctl/exit_codes.hpp"
#include "ctl/watch_screen.hpp"

namespace asncounter::ctl {
namespace {

using Clock = std::chrono::steady_clock;

// A row's amounts, by its key (an ASN or a prefix, "None" when unrouted).
struct Amounts {
  std::uint64_t hits = 0;
  std::uint64_t bytes = 0;
  std::string name;
};
using Snapshot = std::map<std::string, Amounts>;

// What a screen shows: amounts over `seconds` (gained since the previous
// answer, or counted in the window), and their totals.
struct Interval {
  std::vector<std::pair<std::string, Amounts>> rows;
  std::uint64_t total_hits = 0;
  std::uint64_t total_bytes = 0;
  double seconds = 1;
};

struct Answer {
  Snapshot rows;
  std::uint64_t total_hits = 0;
  std::uint64_t total_bytes = 0;
  double window_seconds = 0;  // the span the window answer covers (0: since start)
};

std::optional<Answer> answer_of(const std::string& result, const WatchQuery& q) {
  auto table = report_from_json(result, q.prefixes);
  if (!table) return std::nullopt;
  Answer a;
  a.total_hits = table->total;
  a.total_bytes = table->total_bytes;
  for (const auto& r : table->rows) {
    std::string name = !r.asn ? "None" : r.name ? escaped(*r.name) : "";
    if (q.prefixes) name = r.asn ? std::to_string(*r.asn) + " " + name : "None";
    std::string key =
        q.prefixes ? (r.prefix ? to_string(*r.prefix) : "None") : (r.asn ? std::to_string(*r.asn) : "None");
    a.rows[key] = {r.count, r.bytes, std::move(name)};
  }
  // A window younger than asked (the daemon restarted) covers from..to.
  auto doc = nlohmann::json::parse(result, nullptr, false);
  if (q.window && doc.is_object() && doc.contains("window") && doc["window"].is_object()) {
    const auto& w = doc["window"];
    if (w.contains("from") && w.contains("to") && w["from"].is_number() && w["to"].is_number())
      a.window_seconds = w["to"].get<double>() - w["from"].get<double>();
    if (a.window_seconds <= 0) a.window_seconds = static_cast<double>(*q.window);
  }
  return a;
}

Interval gained(const Snapshot& before, const Snapshot& now, double seconds) {
  Interval iv;
  iv.seconds = seconds;
  for (const auto& [key, entry] : now) {
    auto prev = before.find(key);
    const Amounts was = prev == before.end() ? Amounts{} : prev->second;
    // A reset in between: what is there now is new.
    Amounts g{entry.hits >= was.hits ? entry.hits - was.hits : entry.hits,
              entry.bytes >= was.bytes ? entry.bytes - was.bytes : entry.bytes, entry.name};
    iv.total_hits += g.hits;
    iv.total_bytes += g.bytes;
    if (g.hits || g.bytes) iv.rows.emplace_back(key, std::move(g));
  }
  return iv;
}

std::vector<WatchRow> ranked(const Interval& iv, bool bytes) {
  auto metric = [bytes](const Amounts& a) { return bytes ? a.bytes : a.hits; };
  std::vector<const std::pair<std::string, Amounts>*> order;
  for (const auto& r : iv.rows)
    if (metric(r.second)) order.push_back(&r);
  std::sort(order.begin(), order.end(), [&](const auto* a, const auto* b) {
    return metric(a->second) != metric(b->second) ? metric(a->second) > metric(b->second)
                                                  : a->first < b->first;
  });
  const std::uint64_t total = bytes ? iv.total_bytes : iv.total_hits;
  std::vector<WatchRow> out;
  for (const auto* r : order)
    out.push_back({r->first, r->second.name, static_cast<double>(metric(r->second)) / iv.seconds,
                   format_percent(metric(r->second), total)});
  return out;
}

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char when[16];
  std::strftime(when, sizeof when, "%H:%M:%SZ", &tm);
  return when;
}

std::string fixed1(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
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

volatile std::sig_atomic_t g_resized = 0;
extern "C" void on_sigwinch(int) { g_resized = 1; }

// SIGWINCH sets a flag the wait looks at, for as long as it lives.
class ResizeWatch {
 public:
  ResizeWatch() {
    struct sigaction sa {};
    sa.sa_handler = on_sigwinch;
    sigemptyset(&sa.sa_mask);
    active_ = sigaction(SIGWINCH, &sa, &saved_) == 0;
  }
  ~ResizeWatch() {
    if (active_) sigaction(SIGWINCH, &saved_, nullptr);
  }
  ResizeWatch(const ResizeWatch&) = delete;
  ResizeWatch& operator=(const ResizeWatch&) = delete;

 private:
  struct sigaction saved_ {};
  bool active_ = false;
};

enum class Event { timeout, quit, resized, switch_prefixes, switch_bytes };

// Waits until `deadline`, a key or a resize. The poll is sliced so that a
// SIGWINCH landing just before it is seen within 200 ms.
Event wait_event(Clock::time_point deadline, bool keys) {
  for (;;) {
    if (g_resized) {
      g_resized = 0;
      return Event::resized;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return Event::timeout;
    pollfd p{STDIN_FILENO, POLLIN, 0};
    int ready = poll(keys ? &p : nullptr, keys ? 1 : 0, static_cast<int>(std::min<long long>(left, 200)));
    if (ready <= 0 || !keys) continue;
    char ch = 0;
    if (read(STDIN_FILENO, &ch, 1) != 1) return Event::timeout;
    if (ch == 'q' || ch == 'Q' || ch == 3) return Event::quit;
    if (ch == 'p' || ch == 'P') return Event::switch_prefixes;
    if (ch == 'b' || ch == 'B') return Event::switch_bytes;
  }
}

class Watch {
 public:
  Watch(const FetchWatch& fetch, const WatchOptions& o, std::ostream& out, bool tty)
      : fetch_(fetch), o_(o), out_(out), tty_(tty), prefixes_(o.prefixes), bytes_(o.bytes) {}

  // One fetch; 0, or the exit code to end with. An unreachable daemon after
  // a first answer is a restart: "reconnecting", and the next sample tries again.
  int sample() {
    WatchQuery q{prefixes_, bytes_, o_.window, o_.window ? (o_.rows ? o_.rows : 500) : 0};
    std::string result;
    int rc = fetch_(q, result);
    if (rc == kExitUnreachable && answered_) {
      if (reconnecting_since_.empty()) reconnecting_since_ = utc_now();
      before_.reset();
      return 0;
    }
    if (rc) return rc;
    auto a = answer_of(result, q);
    if (!a) return kExitDaemonError;
    answered_ = true;
    reconnecting_since_.clear();
    auto now = Clock::now();
    if (o_.window) {
      last_ = Interval{{a->rows.begin(), a->rows.end()}, a->total_hits, a->total_bytes, a->window_seconds};
    } else if (!before_) {
      waiting_ = true;
    } else {
      last_ = gained(*before_, a->rows, std::chrono::duration<double>(now - then_).count());
      waiting_ = false;
    }
    if (!o_.window) before_ = std::move(a->rows), then_ = now;
    fresh_ = true;
    return 0;
  }

  void switch_prefixes() {
    prefixes_ = !prefixes_;
    before_.reset();
    last_.reset();
  }
  void switch_bytes() { bytes_ = !bytes_; }
  // Since start, hits and bytes come in every answer: only the ranking changes.
  bool bytes_need_fetch() const { return o_.window.has_value(); }

  void draw() {
    std::vector<std::string> lines{title()};
    if (last_) {
      auto rows = ranked(*last_, bytes_);
      std::size_t most = o_.rows ? o_.rows : rows.size();
      if (tty_) {
        ScreenSize size = terminal_size().value_or(ScreenSize{});
        most = std::min<std::size_t>(most, size.height > 2 ? size.height - 2 : 0);
      }
      rows.resize(std::min(rows.size(), most));
      auto table = watch_table_lines(rows, prefixes_, bytes_);
      lines.insert(lines.end(), table.begin(), table.end());
    }
    if (tty_) {
      out_ << "\x1b[H\x1b[2J" << fit_screen(lines, terminal_size().value_or(ScreenSize{}));
    } else {
      // A pipe gets a report per new interval, and a reconnection once.
      const bool reconnecting = !reconnecting_since_.empty();
      if (reconnecting ? said_reconnecting_ : !(fresh_ && last_ && !waiting_)) return;
      said_reconnecting_ = reconnecting;
      if (reconnecting) lines.resize(1);
      for (std::size_t i = 0; i < lines.size(); ++i)
        out_ << (i == 0 && printed_ ? "\n" : "") << lines[i] << "\n";
      printed_ = true;
    }
    fresh_ = false;
    out_ << std::flush;
  }

  std::chrono::seconds interval() const { return std::chrono::seconds(o_.seconds); }

 private:
  std::string title() const {
    std::string what = std::string(prefixes_ ? "prefixes" : "ASNs") + " by " + (bytes_ ? "bytes" : "hits");
    std::string head = utc_now() + " " + what;
    if (!reconnecting_since_.empty())
      return head + ": reconnecting to the daemon (gone at " + reconnecting_since_ + ")  q quits";
    if (!last_ || (waiting_ && !o_.window))
      return head + ": first rates in " + std::to_string(o_.seconds) + " s  (q quits, p prefixes, b bytes)";
    const double total = static_cast<double>(bytes_ ? last_->total_bytes : last_->total_hits);
    std::string over = o_.window ? "over the last " + fixed1(last_->seconds) + " s window"
                                 : "over the last " + fixed1(last_->seconds) + " s";
    return head + ": " + fixed1(total / last_->seconds) + (bytes_ ? " bytes/s " : " hits/s ") + over +
           "  (q quits, p prefixes, b bytes)";
  }

  const FetchWatch& fetch_;
  const WatchOptions& o_;
  std::ostream& out_;
  const bool tty_;
  bool prefixes_;
  bool bytes_;
  bool answered_ = false;
  bool waiting_ = false;
  bool fresh_ = false;
  bool printed_ = false;
  bool said_reconnecting_ = false;
  std::string reconnecting_since_;
  std::optional<Snapshot> before_;
  Clock::time_point then_{};
  std::optional<Interval> last_;
};

}  // namespace

int watch_top(const FetchWatch& fetch, const WatchOptions& options, std::ostream& out, std::ostream& err) {
  const bool tty = isatty(STDOUT_FILENO) && isatty(STDIN_FILENO);
  std::optional<RawTerminal> raw;
  std::optional<ResizeWatch> resize;
  if (tty) raw.emplace(), resize.emplace();
  const bool keys = raw && raw->active();
  Watch w(fetch, options, out, tty);
  auto sample = [&]() {
    int rc = w.sample();
    if (rc == kExitDaemonError) err << "asncounterctl: malformed answer\n";
    return rc;
  };
  if (int rc = sample()) return rc;
  w.draw();
  auto next = Clock::now() + w.interval();
  for (;;) {
    switch (wait_event(next, keys)) {
      case Event::quit:
        // Below the last line: the shell's prompt (or what runs next) starts
        // on a line of its own, not after the last row.
        if (tty) out << "\n" << std::flush;
        return kExitOk;
      case Event::resized:
        w.draw();
        continue;
      case Event::switch_prefixes:
        w.switch_prefixes();
        break;
      case Event::switch_bytes:
        w.switch_bytes();
        if (!w.bytes_need_fetch()) {
          w.draw();
          continue;
        }
        break;
      case Event::timeout:
        break;
    }
    if (int rc = sample()) return rc;
    w.draw();
    if (!out) return kExitOk;  // the reader went away
    next = Clock::now() + w.interval();
  }
}

}  // namespace asncounter::ctl
