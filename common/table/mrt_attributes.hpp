#pragma once
// The origin AS of a route, from the BGP path attributes of an MRT RIB entry,
// by pyasn's rules with our documented differences (docs/tables.md).

#include <cstddef>
#include <cstdint>

namespace asncounter {

/// AS_TRANS (RFC 6793): what a 2-byte speaker sees in place of a 4-byte ASN.
inline constexpr std::uint32_t kAsTrans = 23456;

/// True for ASNs that are never an origin: 0, private use and reserved
/// (64512-65535, 65552-131071, >= 4200000000) and pyasn's guess at
/// unallocated space (>= 1,000,000). Unlike pyasn, the RFC 5398
/// documentation ASNs 64496-64511 and 65536-65551 are real origins.
constexpr bool is_bogus_asn(std::uint32_t asn) noexcept {
  if (asn == 0) return true;
  if (asn >= 64512 && asn <= 65535) return true;
  if (asn >= 65552 && asn <= 131071) return true;
  return asn >= 1000000;  // also covers 4200000000 and above
}

/// What the attributes of one RIB entry say about its origin.
enum class OriginStatus : std::uint8_t {
  found,    ///< `asn` holds the origin
  none,     ///< well-formed, but no usable origin (no or empty AS_PATH, only bogus ASNs)
  corrupt,  ///< an attribute or AS_PATH segment overruns its container
};

/// The answer of origin_from_attributes.
struct Origin {
  OriginStatus status{OriginStatus::none};
  std::uint32_t asn{};
};

/// Reads the origin from `len` bytes of BGP path attributes. `four_byte_as`
/// says how AS_PATH is encoded (TABLE_DUMP_V2: 4 bytes, TABLE_DUMP: 2 bytes);
/// with 2-byte paths, an AS_TRANS origin is replaced by the origin that an
/// AS4_PATH attribute carries (RFC 6793).
Origin origin_from_attributes(const unsigned char* data, std::size_t len, bool four_byte_as) noexcept;

}  // namespace asncounter
