#include "common/table/mrt_reader.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "common/big_endian.hpp"
#include "common/table/mrt_attributes.hpp"
#include "common/table/seen_prefixes.hpp"

namespace asncounter {
namespace {

constexpr std::size_t kHeaderSize = 12;
constexpr std::size_t kBufferSize = 1 << 20;

// `octets` network-order bytes of an address, the rest zero, host bits past `len` cleared.
Prefix read_prefix(Family family, const unsigned char* p, std::size_t octets, unsigned len) {
  unsigned char bytes[16] = {};
  std::memcpy(bytes, p, octets);
  Prefix out;
  out.len = static_cast<std::uint8_t>(len);
  if (family == Family::v4) {
    std::uint32_t a = load_be32(bytes);
    out.addr = Address::from_v4(len == 0 ? 0 : a & ~std::uint32_t{0} << (32 - len));
    return out;
  }
  std::uint64_t hi = load_be64(bytes);
  std::uint64_t lo = load_be64(bytes + 8);
  if (len == 0)
    hi = 0;
  else if (len < 64)
    hi &= ~std::uint64_t{0} << (64 - len);
  if (len <= 64)
    lo = 0;
  else if (len < 128)
    lo &= ~std::uint64_t{0} << (128 - len);
  out.addr = Address::from_v6(V6{hi, lo});
  return out;
}

// One record at a time out of a large buffer refilled from the stream.
class RecordBuffer {
 public:
  RecordBuffer(ByteStream& in, std::size_t size) : in_(in), buf_(size) {}

  // Makes `n` bytes available at data(); false when the stream ends first.
  bool ensure(std::size_t n) {
    if (end_ - pos_ >= n) return true;
    std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
    end_ -= pos_;
    base_ += pos_;
    pos_ = 0;
    if (n > buf_.size()) buf_.resize(std::max(n, buf_.size() * 2));
    while (end_ < n) {
      std::size_t got = in_.read(buf_.data() + end_, buf_.size() - end_);
      if (got == 0) return false;
      end_ += got;
    }
    return true;
  }
  const unsigned char* data() const { return buf_.data() + pos_; }
  std::size_t available() const { return end_ - pos_; }
  void consume(std::size_t n) { pos_ += n; }
  // Offset of data() in the decompressed stream.
  std::uint64_t offset() const { return base_ + pos_; }

 private:
  ByteStream& in_;
  std::vector<unsigned char> buf_;
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
  std::uint64_t base_ = 0;
};

struct RecordHeader {
  std::uint32_t timestamp;
  std::uint16_t type;
  std::uint16_t subtype;
  std::uint32_t length;
};

// Turns records into routes; false (with error_) on a corrupt record.
class MrtParser {
 public:
  MrtParser(const std::string& name, std::uint64_t max_prefixes)
      : name_(name), max_prefixes_(max_prefixes), seen_(set_.routes) {
    set_.info.source = name;
    set_.info.format = TableFormat::mrt;
  }

  bool record(const RecordHeader& h, const unsigned char* body, std::uint64_t offset) {
    ++set_.records;
    offset_ = offset;
    header_ = h;
    if (h.type == mrt::kTableDump && (h.subtype == mrt::kAfiIpv4 || h.subtype == mrt::kAfiIpv6)) {
      note_time(h.timestamp);
      return table_dump(body, h.length, h.subtype == mrt::kAfiIpv4 ? Family::v4 : Family::v6);
    }
    if (h.type == mrt::kTableDumpV2) {
      switch (h.subtype) {
        case mrt::kPeerIndexTable:
          note_time(h.timestamp);
          return true;
        case mrt::kRibIpv4Unicast:
        case mrt::kRibIpv6Unicast:
        case mrt::kRibIpv4UnicastAddPath:
        case mrt::kRibIpv6UnicastAddPath:
          note_time(h.timestamp);
          return rib(body, h.length, h.subtype);
        default:
          break;
      }
    }
    ++set_.skipped_records;  // other subtypes, BGP4MP updates, ...: not a unicast RIB
    return true;
  }

  RouteSet take() && { return std::move(set_); }
  const std::string& error() const { return error_; }

 private:
  void note_time(std::uint32_t t) {
    if (!have_time_) set_.info.dump_time = t;
    have_time_ = true;
  }

  bool corrupt(const char* why) {
    error_ = name_ + ": corrupt MRT record at byte offset " + std::to_string(offset_) + " (type " +
             std::to_string(header_.type) + "/" + std::to_string(header_.subtype) + ", " +
             std::to_string(header_.length) + " bytes): " + why;
    return false;
  }

  // RFC 6396 4.2: one peer's route per record, 2-byte AS numbers.
  bool table_dump(const unsigned char* p, std::size_t n, Family family) {
    const std::size_t octets = family == Family::v4 ? 4 : 16;
    const std::size_t fixed = 14 + 2 * octets;
    if (n < fixed) return corrupt("shorter than a TABLE_DUMP entry");
    const unsigned len = p[4 + octets];
    if (len > family_bits(family)) return corrupt("prefix length out of range");
    const std::size_t attr_len = load_be16(p + fixed - 2);
    if (fixed + attr_len != n) return corrupt("attribute length does not match the record length");
    return add(read_prefix(family, p + 4, octets, len), p + fixed, attr_len, 1, false);
  }

  // RFC 6396 4.3.2 and RFC 8050: one prefix, then a RIB entry per peer.
  bool rib(const unsigned char* p, std::size_t n, std::uint16_t subtype) {
    const bool v4 = subtype == mrt::kRibIpv4Unicast || subtype == mrt::kRibIpv4UnicastAddPath;
    const bool add_path = subtype == mrt::kRibIpv4UnicastAddPath || subtype == mrt::kRibIpv6UnicastAddPath;
    const Family family = v4 ? Family::v4 : Family::v6;
    if (n < 5) return corrupt("shorter than a RIB header");
    const unsigned len = p[4];
    if (len > family_bits(family)) return corrupt("prefix length out of range");
    const std::size_t octets = (len + 7) / 8;
    if (n < 7 + octets) return corrupt("prefix overruns the record");
    const std::size_t count = load_be16(p + 5 + octets);
    // Only the first entry counts (pyasn's rule); the others are only
    // hopped over, so that a bad length anywhere is still caught.
    const std::size_t entry_header = add_path ? 12 : 8;
    const unsigned char* first = nullptr;
    std::size_t first_len = 0;
    std::size_t pos = 7 + octets;
    for (std::size_t i = 0; i < count; ++i) {
      if (n - pos < entry_header) return corrupt("RIB entry header overruns the record");
      const std::size_t attr_len = load_be16(p + pos + entry_header - 2);
      if (attr_len > n - pos - entry_header) return corrupt("RIB entry attributes overrun the record");
      if (i == 0) {
        first = p + pos + entry_header;
        first_len = attr_len;
      }
      pos += entry_header + attr_len;
    }
    if (pos != n) return corrupt("bytes left after the last RIB entry");
    return add(read_prefix(family, p + 5, octets, len), first, first_len, count, true);
  }

  bool add(const Prefix& prefix, const unsigned char* attrs, std::size_t attr_len, std::size_t entries,
           bool four_byte_as) {
    if (prefix.len == 0) {
      ++set_.dropped_routes;  // default routes never count (pyasn drops them too)
      return true;
    }
    if (seen_.contains(prefix)) return true;
    if (entries == 0) {
      ++set_.dropped_routes;
      return true;
    }
    Origin origin = origin_from_attributes(attrs, attr_len, four_byte_as);
    if (origin.status == OriginStatus::corrupt) return corrupt("malformed path attributes");
    if (origin.status == OriginStatus::none) {
      // Not marked seen: a later record for the prefix may still supply it,
      // as with pyasn's --skip-on-error.
      ++set_.dropped_routes;
      return true;
    }
    if (set_.routes.size() >= max_prefixes_) {
      error_ = name_ + ": more than " + std::to_string(max_prefixes_) +
               " distinct prefixes (table-max-prefixes), at byte offset " + std::to_string(offset_);
      return false;
    }
    set_.routes.push_back(Route{prefix, origin.asn});
    seen_.add_last();
    return true;
  }

  const std::string& name_;
  std::uint64_t max_prefixes_;
  RouteSet set_;
  SeenPrefixes seen_;
  std::string error_;
  std::uint64_t offset_ = 0;
  RecordHeader header_{};
  bool have_time_ = false;
};

// Bytes already in memory, seen through the ByteStream interface.
class MemoryStream final : public ByteStream {
 public:
  explicit MemoryStream(std::span<const unsigned char> data) : data_(data) {}
  std::size_t read(void* buf, std::size_t size) override {
    std::size_t n = std::min(size, data_.size() - pos_);
    if (n > 0) std::memcpy(buf, data_.data() + pos_, n);
    pos_ += n;
    offset_ += n;
    if (n == 0 && size > 0) eof_ = true;
    return n;
  }

 private:
  std::span<const unsigned char> data_;
  std::size_t pos_ = 0;
};

Error stream_failed(const ByteStream& in, const std::string& name, std::uint64_t record_offset) {
  std::string why = in.error();
  if (why.find(name) == std::string::npos) why = name + ": " + why;
  return Error{why + " (inside the MRT record at byte offset " + std::to_string(record_offset) + ")"};
}

Error truncated(const std::string& name, std::uint64_t offset, std::size_t needed, std::size_t have) {
  return Error{name + ": truncated MRT record at byte offset " + std::to_string(offset) + " (needs " +
               std::to_string(needed) + " bytes, the data ends after " + std::to_string(have) + ")"};
}

Result<RouteSet> read_records(ByteStream& in, const std::string& name, std::size_t buffer_size,
                              std::uint64_t max_prefixes) {
  RecordBuffer buf(in, buffer_size);
  MrtParser parser(name, max_prefixes);
  for (;;) {
    if (!buf.ensure(kHeaderSize)) {
      if (!in.error().empty()) return stream_failed(in, name, buf.offset());
      if (buf.available() == 0) break;
      return truncated(name, buf.offset(), kHeaderSize, buf.available());
    }
    const unsigned char* p = buf.data();
    RecordHeader h{load_be32(p), load_be16(p + 4), load_be16(p + 6), load_be32(p + 8)};
    if (h.length > mrt::kMaxRecordSize) {
      return Error{name + ": corrupt MRT record at byte offset " + std::to_string(buf.offset()) +
                   ": implausible length " + std::to_string(h.length)};
    }
    const std::size_t total = kHeaderSize + h.length;
    if (!buf.ensure(total)) {
      if (!in.error().empty()) return stream_failed(in, name, buf.offset());
      return truncated(name, buf.offset(), total, buf.available());
    }
    if (!parser.record(h, buf.data() + kHeaderSize, buf.offset())) return Error{parser.error()};
    buf.consume(total);
  }
  return std::move(parser).take();
}

}  // namespace

Result<RouteSet> read_mrt(ByteStream& in, const std::string& name, std::uint64_t max_prefixes) {
  return read_records(in, name, kBufferSize, max_prefixes);
}

Result<RouteSet> read_mrt(std::span<const unsigned char> data, const std::string& name) {
  MemoryStream in(data);
  // Small inputs (fixtures, fuzzing) need no megabyte buffer.
  return read_records(in, name, std::min(kBufferSize, data.size() + kHeaderSize), TableLimits{}.max_prefixes);
}

Result<RouteSet> read_mrt_file(const std::string& path) {
  auto in = ByteStream::open(path);
  if (!in) return Error{in.error()};
  return read_mrt(**in, path);
}

// MRT types of RFC 6396 (and the deprecated ones before it); each is below
// 256, so byte 4 of a header is zero, which text never holds.
bool is_mrt_head(std::span<const unsigned char> head) noexcept {
  static constexpr unsigned kTypes[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16, 17, 32, 33, 48, 49};
  return head.size() >= kHeaderSize && head[4] == 0 &&
         std::find(std::begin(kTypes), std::end(kTypes), head[5]) != std::end(kTypes);
}

std::string verify_mrt(ByteStream& in) {
  std::array<char, 65536> buf{};
  for (std::uint64_t records = 0;; ++records) {
    std::array<std::uint8_t, 12> header{};
    std::size_t got = 0;
    while (got < header.size()) {
      std::size_t n = in.read(header.data() + got, header.size() - got);
      if (n == 0) break;
      got += n;
    }
    if (!in.error().empty()) return in.error();
    if (got == 0) return "";
    if (got < header.size()) return "cut inside the header of MRT record " + std::to_string(records + 1);
    std::uint64_t length = load_be32(header.data() + 8);
    while (length > 0) {
      std::size_t n =
          in.read(buf.data(), static_cast<std::size_t>(std::min<std::uint64_t>(length, buf.size())));
      if (n == 0) {
        if (!in.error().empty()) return in.error();
        return "cut inside MRT record " + std::to_string(records + 1);
      }
      length -= n;
    }
  }
}

}  // namespace asncounter
