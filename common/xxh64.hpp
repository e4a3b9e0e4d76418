#pragma once
// XXH64 (Yann Collet's xxHash, 64-bit): a fast non-cryptographic checksum,
// about 10 GB/s on one core, so checking a 50 MB table cache costs a few
// milliseconds. It detects damage, not forgery.

#include <cstdint>
#include <span>

namespace asncounter {

/// The XXH64 of `bytes` with `seed` (equal to the reference implementation's).
std::uint64_t xxh64(std::span<const unsigned char> bytes, std::uint64_t seed = 0) noexcept;

}  // namespace asncounter
