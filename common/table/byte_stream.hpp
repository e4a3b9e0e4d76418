#pragma once
// Streams a file's bytes through bzip2 or gzip decompression, chosen from the
// first bytes (never from the name), so a 1 GB RIB is never held in memory.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "common/result.hpp"

namespace asncounter {

enum class Compression : std::uint8_t { none, gzip, bzip2 };

/// The compression the first bytes of a file announce.
Compression detect_compression(const unsigned char* head, std::size_t size) noexcept;

class ByteStream {
 public:
  /// Opens `path`; the error names the file. Once `*stop` is set, reads
  /// fail with "stopped" (a daemon stopping gives up a huge table at once);
  /// once more than `max_bytes` decompressed bytes came, reads fail too (a
  /// decompression bomb costs bounded time).
  static Result<std::unique_ptr<ByteStream>> open(const std::string& path,
                                                  const std::atomic<bool>* stop = nullptr,
                                                  std::uint64_t max_bytes = UINT64_MAX);
  virtual ~ByteStream() = default;

  /// Reads up to `size` decompressed bytes. Returns 0 at the end of the data;
  /// on a read or decompression error returns 0 and error() says why (a
  /// truncated compressed stream is an error, not an end).
  virtual std::size_t read(void* buf, std::size_t size) = 0;
  /// Reads exactly `size` bytes; false (with eof() or error()) when fewer came.
  bool read_exact(void* buf, std::size_t size);
  /// Empty while all is well.
  const std::string& error() const { return error_; }
  /// True once the data ended cleanly.
  bool eof() const { return eof_; }
  /// Decompressed bytes handed out so far (the offset errors are reported at).
  std::uint64_t offset() const { return offset_; }
  Compression compression() const { return compression_; }

 protected:
  std::string error_;
  bool eof_ = false;
  std::uint64_t offset_ = 0;
  Compression compression_ = Compression::none;
};

/// Reads a stream to its end without looking at the bytes: "" when it ended
/// cleanly, else why not (a truncated gzip stream, a read error).
std::string read_to_end(ByteStream& in);

/// Whether a bzip2 file ends with its end-of-stream mark, read from the last
/// bytes alone: a file cut anywhere else lacks it (no decompression: seconds
/// saved on a full RIB).
bool bzip2_file_complete(const std::string& path);

}  // namespace asncounter
