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
/// The sum of two steps (keys present in both add up, saturating, or
/// modulo 2^64 with `wrapping`: for a sum that steps are taken away from).
EncodedStep merge_steps(const EncodedStep& a, const EncodedStep& b, bool wrapping = false);
/// a - b, modulo 2^64 (b was added to a), leaving out keys that come to zero.
EncodedStep subtract_steps(const EncodedStep& a, const EncodedStep& b);

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

/// Reads a step's entries one at a time, keys ascending.
class StepReader {
 public:
  explicit StepReader(const EncodedStep& s) : s_(&s), p_(s.data.data()), left_(s.entries) {}
  bool next(StepEntry& e) {
    using step_codec_detail::read_varint;
    if (left_ == 0) return false;
    --left_;
    key_ += read_varint(p_);
    e.key = static_cast<std::uint32_t>(key_);
    e.counts = Counts{};
    e.counts.hits = read_varint(p_);
    if (s_->fields & EncodedStep::kBytes) {
      e.counts.bytes = read_varint(p_);
      if (s_->fields & EncodedStep::kBytesVsHits)
        e.counts.bytes = e.counts.hits * s_->bytes_per_hit + step_codec_detail::unzigzag(e.counts.bytes);
    }
    if (s_->fields & EncodedStep::kLatency) {
      e.counts.latency_us_sum = read_varint(p_);
      e.counts.latency_samples = read_varint(p_);
    }
    return true;
  }

 private:
  const EncodedStep* s_;
  const std::uint8_t* p_;
  std::uint32_t left_;
  std::uint64_t key_ = 0;
};

/// Calls f(key, counts) for every entry, keys ascending.
template <class F>
void for_each_entry(const EncodedStep& s, F&& f) {
  StepReader r(s);
  StepEntry e;
  while (r.next(e)) f(e.key, e.counts);
}

/// All entries, decoded.
std::vector<StepEntry> decode_step(const EncodedStep& s);

}  // namespace asncounter
