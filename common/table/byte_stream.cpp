#include "common/table/byte_stream.hpp"

#include <bzlib.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "common/unique_fd.hpp"

namespace asncounter {
namespace {

using FilePtr = UniqueFile;

constexpr std::size_t kChunk = 1 << 16;

// Compressed input is read in chunks from the file; subclasses inflate it.
class FileStream : public ByteStream {
 public:
  FileStream(FilePtr file, std::string path, Compression c) : file_(std::move(file)), path_(std::move(path)) {
    compression_ = c;
  }
  void set_stop(const std::atomic<bool>* stop) { stop_ = stop; }
  void set_max_bytes(std::uint64_t max_bytes) { max_bytes_ = max_bytes; }

 protected:
  // Refills in_ when it is used up; false at the end of the file or on error.
  bool refill() {
    if (in_pos_ < in_len_) return true;
    in_len_ = std::fread(in_.data(), 1, in_.size(), file_.get());
    in_pos_ = 0;
    if (in_len_ == 0 && std::ferror(file_.get())) fail(std::string("read error: ") + std::strerror(errno));
    return in_len_ > 0;
  }
  // False, with the error set, once the caller asked to stop or the byte
  // cap is passed; checked at each read(), so even a stream that inflates a
  // thousandfold stops soon (one read past the cap at most).
  bool going() {
    if (offset_ > max_bytes_) {
      fail("more than " + std::to_string(max_bytes_) + " decompressed bytes (table-max-mib)");
      return false;
    }
    if (stop_ == nullptr || !stop_->load(std::memory_order_relaxed)) return true;
    fail("stopped");
    return false;
  }
  // `pending`: bytes this read() has produced but not yet added to offset_.
  void fail(const std::string& why, std::size_t pending = 0) {
    if (error_.empty())
      error_ = path_ + ": " + why + " at decompressed byte offset " + std::to_string(offset_ + pending);
  }

  FilePtr file_;
  std::string path_;
  const std::atomic<bool>* stop_ = nullptr;
  std::uint64_t max_bytes_ = UINT64_MAX;
  std::array<unsigned char, kChunk> in_{};
  std::size_t in_len_ = 0;
  std::size_t in_pos_ = 0;
};

class PlainStream final : public FileStream {
 public:
  using FileStream::FileStream;
  std::size_t read(void* buf, std::size_t size) override {
    if (!error_.empty() || eof_ || !going()) return 0;
    std::size_t n = std::fread(buf, 1, size, file_.get());
    if (n == 0) {
      if (std::ferror(file_.get()))
        fail(std::string("read error: ") + std::strerror(errno));
      else
        eof_ = true;
    }
    offset_ += n;
    return n;
  }
};

class GzipStream final : public FileStream {
 public:
  GzipStream(FilePtr f, std::string p) : FileStream(std::move(f), std::move(p), Compression::gzip) {
    // 15 + 32: a gzip or zlib header, told apart by zlib itself.
    ok_ = inflateInit2(&z_, 15 + 32) == Z_OK;
    if (!ok_) fail("cannot initialise zlib");
  }
  ~GzipStream() override {
    if (ok_) inflateEnd(&z_);
  }
  std::size_t read(void* buf, std::size_t size) override {
    if (!error_.empty() || eof_ || size == 0 || !going()) return 0;
    z_.next_out = static_cast<Bytef*>(buf);
    z_.avail_out = static_cast<uInt>(std::min<std::size_t>(size, UINT32_MAX));
    while (z_.avail_out > 0) {
      if (z_.avail_in == 0) {
        in_pos_ = in_len_;
        if (!refill()) {
          // The end of the file is a clean end only between gzip members.
          if (member_ended_)
            eof_ = produced(size) == 0;
          else
            fail("truncated gzip stream", produced(size));
          break;
        }
        z_.next_in = in_.data();
        z_.avail_in = static_cast<uInt>(in_len_);
        in_pos_ = in_len_;
      }
      if (member_ended_) {
        // Concatenated gzip members are one stream, as gzip -d reads them.
        inflateReset(&z_);
        member_ended_ = false;
      }
      int rc = inflate(&z_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        member_ended_ = true;
        continue;
      }
      if (rc != Z_OK && rc != Z_BUF_ERROR) {
        fail(std::string("corrupt gzip data (") + (z_.msg ? z_.msg : "zlib error") + ")", produced(size));
        break;
      }
    }
    std::size_t n = produced(size);
    offset_ += n;
    return n;
  }

 private:
  std::size_t produced(std::size_t size) const { return size - z_.avail_out; }
  z_stream z_{};
  bool ok_ = false;
  bool member_ended_ = false;
};

class Bzip2Stream final : public FileStream {
 public:
  Bzip2Stream(FilePtr f, std::string p) : FileStream(std::move(f), std::move(p), Compression::bzip2) {
    ok_ = BZ2_bzDecompressInit(&bz_, 0, 0) == BZ_OK;
    if (!ok_) fail("cannot initialise bzip2");
  }
  ~Bzip2Stream() override {
    if (ok_) BZ2_bzDecompressEnd(&bz_);
  }
  std::size_t read(void* buf, std::size_t size) override {
    if (!error_.empty() || eof_ || size == 0 || !going()) return 0;
    bz_.next_out = static_cast<char*>(buf);
    bz_.avail_out = static_cast<unsigned>(std::min<std::size_t>(size, UINT32_MAX));
    while (bz_.avail_out > 0) {
      if (bz_.avail_in == 0) {
        in_pos_ = in_len_;
        if (!refill()) {
          // The end of the file is a clean end only between bzip2 streams.
          if (stream_ended_)
            eof_ = produced(size) == 0;
          else
            fail("truncated bzip2 stream", produced(size));
          break;
        }
        bz_.next_in = reinterpret_cast<char*>(in_.data());
        bz_.avail_in = static_cast<unsigned>(in_len_);
        in_pos_ = in_len_;
      }
      if (stream_ended_) {
        // Concatenated bzip2 streams (pbzip2 writes them) are one stream;
        // the decompressor must start afresh, keeping the pending input.
        char* next_in = bz_.next_in;
        unsigned avail_in = bz_.avail_in;
        char* next_out = bz_.next_out;
        unsigned avail_out = bz_.avail_out;
        BZ2_bzDecompressEnd(&bz_);
        bz_ = bz_stream{};
        ok_ = BZ2_bzDecompressInit(&bz_, 0, 0) == BZ_OK;
        if (!ok_) {
          fail("cannot initialise bzip2");
          break;
        }
        bz_.next_in = next_in;
        bz_.avail_in = avail_in;
        bz_.next_out = next_out;
        bz_.avail_out = avail_out;
        stream_ended_ = false;
      }
      int rc = BZ2_bzDecompress(&bz_);
      if (rc == BZ_STREAM_END) {
        stream_ended_ = true;
        continue;
      }
      if (rc != BZ_OK) {
        fail("corrupt bzip2 data (code " + std::to_string(rc) + ")", produced(size));
        break;
      }
    }
    std::size_t n = produced(size);
    offset_ += n;
    return n;
  }

 private:
  std::size_t produced(std::size_t size) const { return size - bz_.avail_out; }
  bz_stream bz_{};
  bool ok_ = false;
  bool stream_ended_ = false;
};

}  // namespace

Compression detect_compression(const unsigned char* head, std::size_t size) noexcept {
  if (size >= 2 && head[0] == 0x1f && head[1] == 0x8b) return Compression::gzip;
  if (size >= 3 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h') return Compression::bzip2;
  return Compression::none;
}

bool ByteStream::read_exact(void* buf, std::size_t size) {
  auto* p = static_cast<unsigned char*>(buf);
  while (size > 0) {
    std::size_t n = read(p, size);
    if (n == 0) return false;
    p += n;
    size -= n;
  }
  return true;
}

Result<std::unique_ptr<ByteStream>> ByteStream::open(const std::string& path, const std::atomic<bool>* stop,
                                                     std::uint64_t max_bytes) {
  FilePtr file(std::fopen(path.c_str(), "rb"));
  if (!file) return Error{path + ": " + std::strerror(errno)};
  std::array<unsigned char, 3> head{};
  std::size_t n = std::fread(head.data(), 1, head.size(), file.get());
  std::rewind(file.get());
  std::unique_ptr<FileStream> stream;
  switch (detect_compression(head.data(), n)) {
    case Compression::gzip:
      stream = std::make_unique<GzipStream>(std::move(file), path);
      break;
    case Compression::bzip2:
      stream = std::make_unique<Bzip2Stream>(std::move(file), path);
      break;
    case Compression::none:
      stream = std::make_unique<PlainStream>(std::move(file), path, Compression::none);
      break;
  }
  stream->set_stop(stop);
  stream->set_max_bytes(max_bytes);
  return std::unique_ptr<ByteStream>(std::move(stream));
}

}  // namespace asncounter
