#pragma once
// Owners of the two kinds of open file the code holds: a POSIX descriptor
// and a stdio FILE*. Each closes what it holds when destroyed, so an early
// return cannot leak one.

#include <unistd.h>

#include <cstdio>
#include <memory>
#include <utility>

namespace asncounter {

/// Owns a file descriptor; closes it when destroyed.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) reset(std::exchange(o.fd_, -1));
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }
  /// The descriptor, still owned; -1 when empty.
  int get() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ >= 0; }
  /// Closes the descriptor now and holds `fd` instead.
  void reset(int fd = -1) noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }
  /// Gives the descriptor up without closing it.
  int release() noexcept { return std::exchange(fd_, -1); }
  /// Closes the descriptor now and says whether close() succeeded (a
  /// written file's last chance to report an error).
  bool close() noexcept { return fd_ < 0 || ::close(std::exchange(fd_, -1)) == 0; }

 private:
  int fd_ = -1;
};

/// Closes a stdio stream; the deleter of UniqueFile.
struct FileCloser {
  void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};

/// Owns a FILE*; fclose()s it when destroyed. To learn whether a written
/// file was closed cleanly, call close_file() instead.
using UniqueFile = std::unique_ptr<std::FILE, FileCloser>;

/// Closes `f` now; false if fclose() failed (buffered data not written).
inline bool close_file(UniqueFile& f) noexcept { return !f || std::fclose(f.release()) == 0; }

}  // namespace asncounter
