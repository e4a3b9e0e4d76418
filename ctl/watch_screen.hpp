#pragma once
// The screen of `asncounterctl top --watch`, fitted to its terminal: the
// header is always the first line, rows are cut to the height and every
// line to the width, so a small pane (60x10 in tmux) never wraps or
// scrolls the header away. Pure text: the loop is in ctl/watch.cpp.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace asncounter::ctl {

struct ScreenSize {
  unsigned width = 80;
  unsigned height = 24;
};

/// The size of the terminal on stdout; nullopt when it is not one.
std::optional<ScreenSize> terminal_size();

/// `text` cut to `columns` characters (a UTF-8 sequence counts as one and
/// is never split).
std::string clip_to_width(std::string_view text, unsigned columns);

/// The first `size.height` lines, each clipped to `size.width`, joined with
/// "\n" and no newline after the last: a newline on the bottom row would
/// scroll the header off the screen.
std::string fit_screen(const std::vector<std::string>& lines, ScreenSize size);

/// One row of the screen: an ASN ("64496", "None") or a prefix, its name,
/// its rate per second and its share of the interval or window.
struct WatchRow {
  std::string key;
  std::string name;
  double rate = 0;
  std::string share;  ///< "12.34"
};

/// The column header and the rows, aligned with spaces (tabs would be
/// expanded past the width by the terminal).
std::vector<std::string> watch_table_lines(const std::vector<WatchRow>& rows, bool prefixes, bool bytes);

}  // namespace asncounter::ctl
