#include "common/table/mrt_attributes.hpp"

#include "common/big_endian.hpp"

namespace asncounter {
namespace {

constexpr unsigned char kAttrAsPath = 2;
constexpr unsigned char kAttrAs4Path = 17;
constexpr unsigned char kFlagExtendedLength = 0x10;
constexpr unsigned char kSegSet = 1;
constexpr unsigned char kSegSequence = 2;
constexpr unsigned char kSegConfedSequence = 3;
constexpr unsigned char kSegConfedSet = 4;

std::uint32_t read_asn(const unsigned char* p, bool four) noexcept {
  return four ? load_be32(p) : load_be16(p);
}

// What one AS_PATH or AS4_PATH holds: its origin and its length in the
// sense of RFC 6793 (an AS_SET counts one, confederation segments none).
struct PathScan {
  OriginStatus status{OriginStatus::none};
  std::uint32_t origin{};
  std::size_t as_count{};
};

// pyasn walks the segments backwards and takes the first one that yields a
// non-bogus ASN; walking forwards and keeping the last yield is the same
// answer without remembering the segments.
PathScan scan_path(const unsigned char* p, std::size_t n, bool four) noexcept {
  const std::size_t width = four ? 4 : 2;
  PathScan scan;
  bool bad_segment = false;
  std::size_t pos = 0;
  while (pos < n) {
    if (n - pos < 2) return {OriginStatus::corrupt, 0, 0};
    const unsigned char type = p[pos];
    const std::size_t count = p[pos + 1];
    const std::size_t size = 2 + count * width;
    if (size > n - pos) return {OriginStatus::corrupt, 0, 0};
    const unsigned char* a = p + pos + 2;
    bool yields = false;
    std::uint32_t candidate = 0;
    if (type == kSegSequence) {
      for (std::size_t i = 0; i < count; ++i) {
        std::uint32_t asn = read_asn(a + i * width, four);
        if (!is_bogus_asn(asn)) {
          candidate = asn;
          yields = true;
        }
      }
      scan.as_count += count;
    } else if (type == kSegSet) {
      // pyasn picks an arbitrary member; the lowest one keeps us deterministic.
      for (std::size_t i = 0; i < count; ++i) {
        std::uint32_t asn = read_asn(a + i * width, four);
        if (!is_bogus_asn(asn) && (!yields || asn < candidate)) {
          candidate = asn;
          yields = true;
        }
      }
      scan.as_count += count > 0 ? 1 : 0;
    } else if (type != kSegConfedSequence && type != kSegConfedSet) {
      bad_segment = true;  // not a segment type BGP knows: no trustworthy origin
    }
    if (yields) {
      scan.origin = candidate;
      scan.status = OriginStatus::found;
    }
    pos += size;
  }
  if (bad_segment) scan.status = OriginStatus::none;
  return scan;
}

}  // namespace

Origin origin_from_attributes(const unsigned char* data, std::size_t len, bool four_byte_as) noexcept {
  PathScan path;
  bool have_path = false;
  const unsigned char* as4 = nullptr;
  std::size_t as4_size = 0;
  std::size_t pos = 0;
  while (pos < len) {
    if (len - pos < 3) return {OriginStatus::corrupt, 0};
    const unsigned char flags = data[pos];
    const unsigned char type = data[pos + 1];
    std::size_t header = 3;
    std::size_t size = data[pos + 2];
    if (flags & kFlagExtendedLength) {
      if (len - pos < 4) return {OriginStatus::corrupt, 0};
      header = 4;
      size = load_be16(data + pos + 2);
    }
    if (size > len - pos - header) return {OriginStatus::corrupt, 0};
    const unsigned char* body = data + pos + header;
    pos += header + size;

    if (type == kAttrAsPath && !have_path) {
      path = scan_path(body, size, four_byte_as);
      have_path = true;
      if (path.status == OriginStatus::corrupt) return {OriginStatus::corrupt, 0};
      // Like pyasn, stop at the AS_PATH unless AS_TRANS sends us on to AS4_PATH.
      if (four_byte_as || path.status != OriginStatus::found || path.origin != kAsTrans || as4) break;
    } else if (type == kAttrAs4Path && !four_byte_as && !as4) {
      as4 = body;
      as4_size = size;
      if (have_path) break;
    }
  }
  if (!have_path) return {OriginStatus::none, 0};
  if (as4 && path.status == OriginStatus::found && path.origin == kAsTrans) {
    // RFC 6793 4.2.3: a malformed AS4_PATH, or one longer than AS_PATH, is ignored.
    PathScan real = scan_path(as4, as4_size, true);
    if (real.status == OriginStatus::found && real.as_count <= path.as_count) path.origin = real.origin;
  }
  return {path.status, path.origin};
}

}  // namespace asncounter
