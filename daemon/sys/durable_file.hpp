#pragma once
// A file replaced atomically and durably, written as a stream: the bytes go
// to PATH.tmp (created afresh, never through a planted link) through a
// 1 MiB buffer, and commit() flushes, fsyncs, renames over PATH and fsyncs
// the directory. Until commit() succeeds PATH keeps its old content; a
// writer destroyed uncommitted removes its temporary file. Streaming keeps
// a save's memory at the buffer, whatever the file's size.

#include <string>
#include <string_view>

#include "common/result.hpp"
#include "common/unique_fd.hpp"

namespace asncounter {

class DurableFile {
 public:
  /// Creates PATH.tmp with `mode`; check ok() (error() says why not).
  DurableFile(std::string path, unsigned mode);
  ~DurableFile();
  DurableFile(const DurableFile&) = delete;
  DurableFile& operator=(const DurableFile&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  /// Appends; after a failure further writes do nothing and commit() fails.
  void write(std::string_view bytes);
  /// Bytes written so far.
  std::size_t size() const { return written_ + buffer_.size(); }
  /// Makes the file PATH, durably; the error names the file and the errno text.
  Result<void> commit();

 private:
  void flush();
  void put(std::string_view data);
  void fail(const std::string& what, int err);

  std::string path_, tmp_;
  UniqueFd fd_;
  std::string buffer_;
  std::size_t written_ = 0;
  std::string error_;
  bool committed_ = false;
};

}  // namespace asncounter
