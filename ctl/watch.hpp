#pragma once
// `asncounterctl top --watch [SECONDS]`: a live screen like top(1).
//
// Since start (the default), each interval it asks for every row's
// since-start counts and ranks the rows by what they gained since the
// previous answer (hits/s or bytes/s over the last interval, exact whatever
// the history's step). With --window W it asks for the top of the last W
// and ranks by the window's rate (count / W). Keys: `p` switches ASNs and
// prefixes, `b` hits and bytes, `q` or Ctrl-C quits. The screen fits the
// terminal and is redrawn when it is resized (ctl/watch_screen.hpp); when
// the daemon goes away (a restart) it says "reconnecting" and tries again
// every interval instead of ending. Not on a terminal: one report per
// interval, separated by a blank line.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>

namespace asncounter::ctl {

/// What one fetch asks the daemon for.
struct WatchQuery {
  bool prefixes = false;                ///< `prefixes` rather than `top`
  bool bytes = false;                   ///< rows by bytes (the window's top)
  std::optional<std::uint64_t> window;  ///< seconds; empty: since start, every row
  std::size_t limit = 0;                ///< 0: every row
};

/// Fills `result` with the answer's JSON; returns an exit code
/// (kExitUnreachable: the daemon could not be reached, the next fetch
/// connects again).
using FetchWatch = std::function<int(const WatchQuery& query, std::string& result)>;

struct WatchOptions {
  unsigned seconds = 2;                 ///< between screens
  std::size_t rows = 20;                ///< most rows shown (0: as many as fit)
  std::optional<std::uint64_t> window;  ///< rank by the rate over this window
  bool prefixes = false;
  bool bytes = false;
};

/// Runs until `q`, Ctrl-C or an error the daemon answered; returns the exit code.
int watch_top(const FetchWatch& fetch, const WatchOptions& options, std::ostream& out, std::ostream& err);

}  // namespace asncounter::ctl
