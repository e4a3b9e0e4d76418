#pragma once
// Loads of big-endian (network order) integers from untrusted byte buffers:
// memcpy, so any alignment is fine, and one bswap on little-endian hosts.
// Callers check the bounds; these read exactly 2, 4 or 8 bytes.

#include <bit>
#include <cstdint>
#include <cstring>

namespace asncounter {

/// The 16-bit big-endian value at `p`.
inline std::uint16_t load_be16(const std::uint8_t* p) noexcept {
  std::uint16_t v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap16(v);
  return v;
}

/// The 32-bit big-endian value at `p`.
inline std::uint32_t load_be32(const std::uint8_t* p) noexcept {
  std::uint32_t v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap32(v);
  return v;
}

/// The 64-bit big-endian value at `p`.
inline std::uint64_t load_be64(const std::uint8_t* p) noexcept {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap64(v);
  return v;
}

/// A big-endian unsigned integer of 1 to 8 bytes (IPFIX reduced-size
/// encoding); 0 for any other width.
inline std::uint64_t load_be_n(const std::uint8_t* p, std::size_t n) noexcept {
  if (n == 0 || n > 8) return 0;
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v = v << 8 | p[i];
  return v;
}

}  // namespace asncounter
