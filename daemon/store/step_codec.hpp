#pragma once
// One closed step of the history, as compact bytes: its entries (key, counts
// that moved) sorted by key, each field a LEB128 varint and keys as gaps.
// Most prefixes move by a few hits per step and keys are dense, so a hits-only
// entry takes 2-3 bytes instead of 12. Bytes are coded as their difference
// from hits times the step's mean bytes per hit (zigzag, modulo 2^64), which
// is small where packet sizes are alike: an ASN's hour of 1,500 hits of
// 600 bytes takes one byte instead of three.

#include <cstdint>
#include <span>
#include <vector>

#include "common/counts.hpp"

namespace asncounter {

struct StepEntry {
  std::uint32_t key{};
  Counts counts;
  friend bool operator==(const StepEntry&, const StepEntry&) = default;
};

struct EncodedStep {
  /// kBytesVsHits: bytes are coded against hits * bytes_per_hit (steps of
  /// history files of version 1 have raw bytes).
  static constexpr std::uint8_t kBytes = 1, kLatency = 2, kBytesVsHits = 4;
  static constexpr std::uint8_t kAllFields = kBytes | kLatency | kBytesVsHits;
  std::vector<std::uint8_t> data;
  std::uint64_t bytes_per_hit{};
  std::uint32_t entries{};
  std::uint8_t fields{};  ///< which fields besides hits are coded, and how

  std::size_t memory() const { return sizeof(*this) + data.capacity(); }
};

/// Codes entries sorted by strictly increasing key.
EncodedStep encode_step(std::span<const StepEntry> sorted);
/// The sum of two steps (keys present in both add up).
EncodedStep merge_steps(const EncodedStep& a, const EncodedStep& b);

namespace step_codec_detail {
inline std::uint64_t read_varint(const std::uint8_t*& p) noexcept {
  std::uint64_t v = *p & 0x7F;
  unsigned shift = 7;
  while (*p++ & 0x80) {
    v |= std::uint64_t{*p & 0x7FU} << shift;
    shift += 7;
  }
  return v;
}
inline std::uint64_t zigzag(std::uint64_t v) noexcept {
  return (v << 1) ^ (0 - (v >> 63));  // the two's complement value's sign spread over every bit
}
inline std::uint64_t unzigzag(std::uint64_t v) noexcept { return (v >> 1) ^ (0 - (v & 1)); }
}  // namespace step_codec_detail

/// Calls f(key, counts) for every entry, keys ascending.
template <class F>
void for_each_entry(const EncodedStep& s, F&& f) {
  using step_codec_detail::read_varint;
  const std::uint8_t* p = s.data.data();
  std::uint64_t key = 0;
  for (std::uint32_t i = 0; i < s.entries; ++i) {
    key += read_varint(p);
    Counts c;
    c.hits = read_varint(p);
    if (s.fields & EncodedStep::kBytes) {
      c.bytes = read_varint(p);
      if (s.fields & EncodedStep::kBytesVsHits)
        c.bytes = c.hits * s.bytes_per_hit + step_codec_detail::unzigzag(c.bytes);
    }
    if (s.fields & EncodedStep::kLatency) {
      c.latency_us_sum = read_varint(p);
      c.latency_samples = read_varint(p);
    }
    f(static_cast<std::uint32_t>(key), c);
  }
}

/// All entries, decoded.
std::vector<StepEntry> decode_step(const EncodedStep& s);

}  // namespace asncounter
