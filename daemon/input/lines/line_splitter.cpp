#include "daemon/input/lines/line_splitter.hpp"

#include <cstring>

namespace asncounter {
LineSplitter::LineSplitter(std::size_t max_line, std::size_t chunk)
    : buf_(max_line + chunk), max_line_(max_line) {}

std::span<char> LineSplitter::write_area() {
  std::size_t tail = end_ - pos_;
  if (discarding_ || tail > max_line_) {
    // The unfinished line is already too long: keep none of it, and drop
    // what follows up to its newline.
    discarding_ = true;
    pos_ = end_ = 0;
  } else if (pos_ > 0) {
    std::memmove(buf_.data(), buf_.data() + pos_, tail);
    pos_ = 0;
    end_ = tail;
  }
  return {buf_.data() + end_, buf_.size() - end_};
}

std::optional<std::string_view> LineSplitter::next_line() {
  for (;;) {
    const char* start = buf_.data() + pos_;
    const void* nl = std::memchr(start, '\n', end_ - pos_);
    if (!nl) {
      if (discarding_) pos_ = end_;
      return std::nullopt;
    }
    auto len = static_cast<std::size_t>(static_cast<const char*>(nl) - start);
    pos_ += len + 1;
    if (discarding_) {
      discarding_ = false;
      ++oversized_;
      continue;
    }
    if (len > max_line_) {
      ++oversized_;
      continue;
    }
    return without_cr(start, len);
  }
}

std::string_view LineSplitter::take_lines() {
  if (discarding_) {
    const void* nl = std::memchr(buf_.data() + pos_, '\n', end_ - pos_);
    if (!nl) {
      pos_ = end_;
      return {};
    }
    pos_ = static_cast<std::size_t>(static_cast<const char*>(nl) - buf_.data()) + 1;
    discarding_ = false;
    ++oversized_;
  }
  const void* last = ::memrchr(buf_.data() + pos_, '\n', end_ - pos_);
  if (!last) return {};
  const std::size_t start = pos_;
  pos_ = static_cast<std::size_t>(static_cast<const char*>(last) - buf_.data()) + 1;
  return {buf_.data() + start, pos_ - start};
}

std::optional<std::string_view> LineSplitter::finish() {
  std::size_t tail = end_ - pos_;
  if (discarding_ || tail > max_line_) {
    ++oversized_;
    reset();
    return std::nullopt;
  }
  if (tail == 0) return std::nullopt;
  const char* start = buf_.data() + pos_;
  pos_ = end_;
  return without_cr(start, tail);
}

void LineSplitter::reset() {
  pos_ = end_ = 0;
  discarding_ = false;
}

std::uint64_t LineSplitter::take_oversized() {
  std::uint64_t n = oversized_;
  oversized_ = 0;
  return n;
}

}  // namespace asncounter
