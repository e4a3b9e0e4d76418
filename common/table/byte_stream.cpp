#include "common/table/byte_stream.hpp"

#include <bzlib.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
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

// What one decompressor library needs to be driven by DecompressStream: its
// stream state, the input/output windows, one step, and a restart for the
// next member of a concatenated file (gzip members, pbzip2's streams).
enum class CodecStep { more, member_end, corrupt };

// zlib and libbz2 name their input and output windows alike, with types of
// their own.
template <typename Stream>
struct CodecWindows {
  Stream s{};
  void set_in(unsigned char* p, std::size_t n) {
    s.next_in = reinterpret_cast<decltype(s.next_in)>(p);
    s.avail_in = static_cast<decltype(s.avail_in)>(n);
  }
  void set_out(void* p, std::size_t n) {
    s.next_out = static_cast<decltype(s.next_out)>(p);
    s.avail_out = static_cast<decltype(s.avail_out)>(std::min<std::size_t>(n, UINT32_MAX));
  }
  std::size_t avail_in() const { return s.avail_in; }
  std::size_t avail_out() const { return s.avail_out; }
};

struct ZlibCodec : CodecWindows<z_stream> {
  static constexpr Compression kind = Compression::gzip;
  static constexpr const char* name = "gzip";
  // 15 + 32: a gzip or zlib header, told apart by zlib itself.
  bool init() { return inflateInit2(&s, 15 + 32) == Z_OK; }
  void end() { inflateEnd(&s); }
  bool restart() { return inflateReset(&s) == Z_OK; }
  CodecStep step() {
    int rc = inflate(&s, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) return CodecStep::member_end;
    return rc == Z_OK || rc == Z_BUF_ERROR ? CodecStep::more : CodecStep::corrupt;
  }
  std::string why() const { return s.msg ? s.msg : "zlib error"; }
};

struct Bzip2Codec : CodecWindows<bz_stream> {
  static constexpr Compression kind = Compression::bzip2;
  static constexpr const char* name = "bzip2";
  int last_rc = BZ_OK;
  bool init() { return BZ2_bzDecompressInit(&s, 0, 0) == BZ_OK; }
  void end() { BZ2_bzDecompressEnd(&s); }
  // libbz2 has no reset: end and start afresh, keeping the pending windows.
  bool restart() {
    bz_stream keep = s;
    end();
    s = bz_stream{};
    if (!init()) return false;
    s.next_in = keep.next_in;
    s.avail_in = keep.avail_in;
    s.next_out = keep.next_out;
    s.avail_out = keep.avail_out;
    return true;
  }
  CodecStep step() {
    last_rc = BZ2_bzDecompress(&s);
    if (last_rc == BZ_STREAM_END) return CodecStep::member_end;
    return last_rc == BZ_OK ? CodecStep::more : CodecStep::corrupt;
  }
  std::string why() const { return "code " + std::to_string(last_rc); }
};

// Inflates the file through Codec; concatenated members are one stream, as
// gzip -d and bzip2 -d read them, and the end of the file is a clean end only
// between members.
template <typename Codec>
class DecompressStream final : public FileStream {
 public:
  DecompressStream(FilePtr f, std::string p) : FileStream(std::move(f), std::move(p), Codec::kind) {
    ok_ = codec_.init();
    if (!ok_) fail(std::string("cannot initialise ") + Codec::name);
  }
  ~DecompressStream() override {
    if (ok_) codec_.end();
  }
  std::size_t read(void* buf, std::size_t size) override {
    if (!error_.empty() || eof_ || size == 0 || !going()) return 0;
    codec_.set_out(buf, size);
    while (codec_.avail_out() > 0) {
      if (codec_.avail_in() == 0) {
        in_pos_ = in_len_;
        if (!refill()) {
          if (member_ended_)
            eof_ = produced(size) == 0;
          else
            fail(std::string("truncated ") + Codec::name + " stream", produced(size));
          break;
        }
        codec_.set_in(in_.data(), in_len_);
        in_pos_ = in_len_;
      }
      if (member_ended_) {
        ok_ = codec_.restart();
        if (!ok_) {
          fail(std::string("cannot initialise ") + Codec::name);
          break;
        }
        member_ended_ = false;
      }
      auto step = codec_.step();
      if (step == CodecStep::member_end) {
        member_ended_ = true;
        continue;
      }
      if (step == CodecStep::corrupt) {
        fail(std::string("corrupt ") + Codec::name + " data (" + codec_.why() + ")", produced(size));
        break;
      }
    }
    std::size_t n = produced(size);
    offset_ += n;
    return n;
  }

 private:
  std::size_t produced(std::size_t size) const { return size - codec_.avail_out(); }
  Codec codec_;
  bool ok_ = false;
  bool member_ended_ = false;
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
  // Opened without waiting, and only a regular file is read: the
  // compression is sniffed and rewound (a pipe cannot be), and a FIFO with
  // no writer would hold a reload, a start or a stop for ever.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fd) return Error{path + ": " + std::strerror(errno)};
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return Error{path + ": " + std::strerror(errno)};
  if (!S_ISREG(st.st_mode)) return Error{path + ": not a regular file"};
  int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK) != 0)
    return Error{path + ": " + std::strerror(errno)};
  FilePtr file(::fdopen(fd.get(), "rb"));
  if (!file) return Error{path + ": " + std::strerror(errno)};
  static_cast<void>(fd.release());  // the FILE owns it now
  std::array<unsigned char, 3> head{};
  std::size_t n = std::fread(head.data(), 1, head.size(), file.get());
  std::rewind(file.get());
  std::unique_ptr<FileStream> stream;
  switch (detect_compression(head.data(), n)) {
    case Compression::gzip:
      stream = std::make_unique<DecompressStream<ZlibCodec>>(std::move(file), path);
      break;
    case Compression::bzip2:
      stream = std::make_unique<DecompressStream<Bzip2Codec>>(std::move(file), path);
      break;
    case Compression::none:
      stream = std::make_unique<PlainStream>(std::move(file), path, Compression::none);
      break;
  }
  stream->set_stop(stop);
  stream->set_max_bytes(max_bytes);
  return std::unique_ptr<ByteStream>(std::move(stream));
}

std::string read_to_end(ByteStream& in) {
  std::array<char, 65536> buf{};
  while (in.read(buf.data(), buf.size()) > 0) {
  }
  return in.error();
}

// A bzip2 stream ends with the 48-bit end-of-stream magic, a 32-bit CRC and
// up to 7 bits of padding.
bool bzip2_file_complete(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st {};
  if (!fd || ::fstat(fd.get(), &st) != 0 || st.st_size < 14) return false;
  std::array<unsigned char, 11> tail{};
  if (::pread(fd.get(), tail.data(), tail.size(), st.st_size - 11) != 11) return false;
  constexpr std::uint64_t kMagic = 0x177245385090ULL;
  auto bit = [&](std::size_t i) { return (tail[i / 8] >> (7 - i % 8)) & 1U; };
  for (std::size_t padding = 0; padding < 8; ++padding) {
    std::size_t start = tail.size() * 8 - padding - 32 - 48;
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 48; ++i) v = (v << 1) | bit(start + i);
    if (v == kMagic) return true;
  }
  return false;
}

}  // namespace asncounter
