#pragma once
// One closed step of the history, as compact bytes: its entries (key, counts
// that moved) sorted by key, each field a LEB128 varint and keys as gaps.
// Most prefixes move by a few hits per step and keys are dense, so a hits-only
// entry takes 2-3 bytes instead of 12.

#include <cstdint>
#include <span>
#include <vector>

#include "common/counts.hpp"

namespace asncounter {

struct StepEntry {
  std::uint32_t key{};
  Counts counts;
};

struct EncodedStep {
  static constexpr std::uint8_t kBytes = 1, kLatency = 2;
  std::vector<std::uint8_t> data;
  std::uint32_t entries{};
  std::uint8_t fields{};  ///< kBytes | kLatency: which fields besides hits are coded

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
    if (s.fields & EncodedStep::kBytes) c.bytes = read_varint(p);
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
