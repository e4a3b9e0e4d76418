#include "daemon/input/capture/pcap_file_reader.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "daemon/input/capture/packet_decoder.hpp"

namespace asncounter {
namespace {

constexpr std::uint32_t kMagicMicro = 0xA1B2C3D4;
constexpr std::uint32_t kMagicNano = 0xA1B23C4D;
constexpr std::size_t kFileHeader = 24;
constexpr std::size_t kRecordHeader = 16;
// Refills are rare at this size; the largest record always fits on top of it.
constexpr std::size_t kBufferBytes = 1 << 20;

std::uint32_t load32(const std::uint8_t* p, bool swapped) {
  std::uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return swapped ? __builtin_bswap32(v) : v;
}

// 0: not classic pcap; 1: this host's byte order; 2: swapped.
int classify(std::uint32_t magic) {
  if (magic == kMagicMicro || magic == kMagicNano) return 1;
  if (magic == __builtin_bswap32(kMagicMicro) || magic == __builtin_bswap32(kMagicNano)) return 2;
  return 0;
}

ssize_t read_fully(int fd, std::uint8_t* buf, std::size_t size) {
  std::size_t got = 0;
  while (got < size) {
    const ssize_t n = ::read(fd, buf + got, size - got);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    got += static_cast<std::size_t>(n);
  }
  return static_cast<ssize_t>(got);
}

}  // namespace

bool PcapFileReader::is_classic(const std::string& path) {
  const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return false;
  std::uint8_t head[4];
  return read_fully(fd.get(), head, sizeof head) == 4 && classify(load32(head, false)) != 0;
}

Result<std::unique_ptr<PcapFileReader>> PcapFileReader::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error{"cannot read capture file " + path + ": " + std::strerror(errno)};
  std::unique_ptr<PcapFileReader> r(new PcapFileReader(fd, path));
  std::uint8_t header[kFileHeader];
  if (read_fully(fd, header, sizeof header) != static_cast<ssize_t>(sizeof header))
    return Error{"capture file " + path + " is shorter than a pcap file header"};
  const int order = classify(load32(header, false));
  if (order == 0) return Error{"capture file " + path + " is not a classic pcap file"};
  r->swapped_ = order == 2;
  // The upper bits of the link type field carry FCS information (LT_LINKTYPE).
  const auto link = static_cast<int>(load32(header + 20, r->swapped_) & 0x03FFFFFFU);
  r->link_type_ = link == linktype::raw_file ? linktype::raw : link;
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return r;
}

PcapFileReader::PcapFileReader(int fd, std::string path)
    : fd_(fd), path_(std::move(path)), buffer_(kBufferBytes + kRecordHeader + kMaxCaplen) {}

PcapFileReader::~PcapFileReader() = default;

// Makes at least `need` bytes available at pos_ unless the file ends first.
bool PcapFileReader::fill(std::size_t need) {
  if (end_ - pos_ >= need) return true;
  std::memmove(buffer_.data(), buffer_.data() + pos_, end_ - pos_);
  end_ -= pos_;
  pos_ = 0;
  while (end_ < need && !eof_) {
    const ssize_t n = read_fully(fd_.get(), buffer_.data() + end_, buffer_.size() - end_);
    if (n < 0) {
      error_ = "cannot read capture file " + path_ + ": " + std::strerror(errno);
      return false;
    }
    if (n == 0) eof_ = true;
    end_ += static_cast<std::size_t>(n);
  }
  return end_ >= need;
}

const std::uint8_t* PcapFileReader::next(std::uint32_t& caplen, std::uint32_t& orig_len) {
  if (!fill(kRecordHeader)) {
    if (end_ != pos_ && error_.empty())
      error_ =
          "capture file " + path_ + " is cut inside the header of record " + std::to_string(records_ + 1);
    return nullptr;
  }
  const std::uint8_t* header = buffer_.data() + pos_;
  caplen = load32(header + 8, swapped_);
  orig_len = load32(header + 12, swapped_);
  if (caplen > kMaxCaplen) {
    error_ = "capture file " + path_ + ": record " + std::to_string(records_ + 1) + " claims " +
             std::to_string(caplen) + " captured bytes";
    return nullptr;
  }
  if (!fill(kRecordHeader + caplen)) {
    if (error_.empty())
      error_ = "capture file " + path_ + " is cut inside record " + std::to_string(records_ + 1);
    return nullptr;
  }
  const std::uint8_t* data = buffer_.data() + pos_ + kRecordHeader;
  pos_ += kRecordHeader + caplen;
  ++records_;
  return data;
}

}  // namespace asncounter
