#pragma once
// Starts the REAL asncounterd (ASNCOUNTERD_BIN) in a temporary directory with
// a generated table (documentation prefixes), AS names, a FIFO input (or its
// stdin), its socket, state and cache directories there, and stops it at the
// end.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/test_support.hpp"

namespace asncounter::test {

/// The table every daemon test uses (ipasn file, documentation prefixes):
/// 192.0.2.0/24 64496, 198.51.100.0/24 64497, 203.0.113.0/25 and
/// 203.0.113.128/25 64498, 2001:db8::/32 64499, 2001:db8:1::/48 64500.
/// Names "DOC-A, ZZ" .. "DOC-E, ZZ" for 64496..64500.
class DaemonFixture {
 public:
  struct Setup {
    std::string config_text;              ///< the --config file's contents
    std::string socket_group;             ///< --socket-group
    bool reachable_by_others = false;     ///< chmod the temp dir 0711 (setpriv tests)
    std::vector<std::string> extra_args;  ///< appended to the command line
    bool db_in_config = false;            ///< `db` in the config file, not --db (a reload may change it)
    /// The table's routes (prefix, ASN); empty: the documentation table above.
    std::vector<std::pair<std::string, std::uint32_t>> routes{};
    bool asnames = true;  ///< --asnames with the names above; false: none (names print as None)
    /// Set: no --input, and this descriptor is the daemon's stdin (-1: stdin closed);
    /// unset: the FIFO input, and the test runner's stdin.
    std::optional<int> stdin_fd{};
    /// Words run before the daemon's command line, which they exec (e.g. "ip netns exec NS").
    std::vector<std::string> wrapper{};
  };

  explicit DaemonFixture(Setup setup);
  DaemonFixture() : DaemonFixture(Setup{}) {}
  ~DaemonFixture();
  DaemonFixture(const DaemonFixture&) = delete;
  DaemonFixture& operator=(const DaemonFixture&) = delete;

  /// The daemon's command line, as start() runs it.
  std::vector<std::string> command() const;
  /// Starts (or restarts) the daemon and waits until its socket answers; REQUIREs it.
  void start();
  /// Sends `sig`, waits for the exit, returns the exit status (128+N if killed).
  int stop(int sig);
  pid_t pid() const { return pid_; }

  /// Runs the real asncounterctl with --socket and `args` (shell words), optionally
  /// prefixed (e.g. by setpriv); stdout and stderr both captured.
  CommandResult ctl(const std::string& args, const std::string& prefix = "") const;
  /// Writes `text` into the FIFO input (one writer open, write, close).
  void write_fifo(const std::string& text) const;
  /// Polls stats until the store holds `hits` hits (bounded wait); returns the last total.
  std::uint64_t wait_for_hits(std::uint64_t hits) const;
  /// Replaces the table with `count` /24s (write_many_prefixes), refreshes to
  /// it and counts one address in each through the FIFO; REQUIREs each step.
  void count_many_prefixes(int count) const;
  /// `asncounterctl --json stats`, parsed; REQUIREs that it answered.
  nlohmann::json stats() const;
  /// One raw JSON-RPC call over a fresh connection; returns the answer line.
  std::string call(const std::string& request_line) const;
  std::string log() const;

  const TempDir& dir() const { return dir_; }
  std::filesystem::path socket() const { return dir_ / "run/control.sock"; }
  std::filesystem::path fifo() const { return dir_ / "input.fifo"; }
  std::filesystem::path db() const { return dir_ / "table.dat"; }
  std::filesystem::path config() const { return dir_ / "asncounterd.conf"; }
  std::filesystem::path ctl_bin() const { return dir_ / "asncounterctl"; }

 private:
  TempDir dir_;
  Setup setup_;
  pid_t pid_ = -1;
};

/// Shell-quotes one word.
std::string quote(const std::string& word);

}  // namespace asncounter::test
