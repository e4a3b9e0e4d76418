#pragma once
// Splits a byte stream read in large chunks into lines without copying
// them: lines are views into one fixed buffer. Only the unfinished tail of
// a chunk moves (to the front, before the next read). A line over the limit
// is dropped while it streams past, so memory never grows.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace asncounter {

/// The line at `begin`, `len` bytes, without the '\r' of a CRLF ending.
inline std::string_view without_cr(const char* begin, std::size_t len) {
  if (len > 0 && begin[len - 1] == '\r') --len;
  return {begin, len};
}

class LineSplitter {
 public:
  static constexpr std::size_t kMaxLine = 64 * 1024;  ///< longer lines are rejected
  static constexpr std::size_t kChunk = 256 * 1024;   ///< bytes per read()

  /// One buffer of max_line + chunk bytes, allocated here and never again.
  explicit LineSplitter(std::size_t max_line = kMaxLine, std::size_t chunk = kChunk);

  /// Where to read the next chunk into (at least `chunk` bytes).
  std::span<char> write_area();
  /// Records that `n` bytes were read into write_area().
  void commit(std::size_t n) { end_ += n; }

  /// The next complete line (without "\n" or "\r\n"), or nothing until more
  /// is committed. The view stays valid until the next write_area().
  std::optional<std::string_view> next_line();

  /// Takes every complete line buffered as one run of bytes, each line with
  /// its newline; lines over the limit inside the run are the caller's to
  /// count (parse_lines does). Valid until the next write_area().
  std::string_view take_lines();

  /// Bytes buffered and not yet taken as lines.
  std::size_t buffered() const { return end_ - pos_; }

  /// At end of input: the last line if it had no newline.
  std::optional<std::string_view> finish();

  /// Forgets everything buffered (e.g. after the file was truncated).
  void reset();

  /// Lines over the limit seen since the last call (and zeroes the count).
  std::uint64_t take_oversized();

 private:
  std::vector<char> buf_;
  std::size_t max_line_;
  std::size_t pos_ = 0;      // start of the first unconsumed byte
  std::size_t end_ = 0;      // end of valid data
  bool discarding_ = false;  // inside an oversized line: drop until '\n'
  std::uint64_t oversized_ = 0;
};

}  // namespace asncounter
