#pragma once
// `asncounterctl top --watch [SECONDS]`: a live screen like top(1). Each
// interval it asks for every ASN's since-start count and ranks the ASNs by
// what they gained since the previous answer (hits/s over the last
// interval, exact whatever the history's step), with their share of that
// interval. On a terminal the screen is redrawn and `q` or Ctrl-C quits;
// otherwise one report per interval, separated by a blank line.

#include <cstddef>
#include <functional>
#include <iosfwd>
#include <string>

namespace asncounter::ctl {

/// Fills `result` with a `top` answer (limit 0, since start); returns an exit code.
using FetchTop = std::function<int(std::string& result)>;

/// Runs until `q`, Ctrl-C or an error; returns the exit code. `rows`: most ASNs shown.
int watch_top(const FetchTop& fetch, unsigned seconds, std::size_t rows, std::ostream& out,
              std::ostream& err);

}  // namespace asncounter::ctl
