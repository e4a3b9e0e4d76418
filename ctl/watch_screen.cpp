#include "ctl/watch_screen.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace asncounter::ctl {

std::optional<ScreenSize> terminal_size() {
  winsize ws{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0 || ws.ws_row == 0) return std::nullopt;
  return ScreenSize{ws.ws_col, ws.ws_row};
}

std::string clip_to_width(std::string_view text, unsigned columns) {
  std::size_t at = 0;
  for (unsigned used = 0; at < text.size(); ++used) {
    if (used == columns) break;
    ++at;
    // Continuation bytes (10xxxxxx) belong to the character before them.
    while (at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) ++at;
  }
  return std::string(text.substr(0, at));
}

std::string fit_screen(const std::vector<std::string>& lines, ScreenSize size) {
  std::string out;
  const std::size_t shown = std::min<std::size_t>(lines.size(), size.height);
  for (std::size_t i = 0; i < shown; ++i) {
    if (i) out += '\n';
    out += clip_to_width(lines[i], size.width);
  }
  return out;
}

std::vector<std::string> watch_table_lines(const std::vector<WatchRow>& rows, bool prefixes, bool bytes) {
  // The key column is as wide as its widest entry (an IPv6 prefix is long,
  // an ASN short), so names start as far left as they can.
  std::size_t key_width = prefixes ? 6 : 3;
  for (const auto& r : rows) key_width = std::max(key_width, r.key.size());
  auto pad = [](std::string s, std::size_t width) {
    if (s.size() < width) s.append(width - s.size(), ' ');
    return s;
  };
  std::vector<std::string> out;
  out.push_back(pad(bytes ? "bytes/s" : "rate/s", 11) + " " + pad("share", 7) + " " +
                pad(prefixes ? "prefix" : "ASN", key_width) + " AS");
  for (const auto& r : rows) {
    char rate[32];
    std::snprintf(rate, sizeof rate, "%.1f", r.rate);
    out.push_back(pad(rate, 11) + " " + pad(r.share + "%", 7) + " " + pad(r.key, key_width) + " " + r.name);
  }
  return out;
}

}  // namespace asncounter::ctl
