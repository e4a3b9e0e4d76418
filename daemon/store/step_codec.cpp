#include "daemon/store/step_codec.hpp"

namespace asncounter {

namespace {

void put_varint(std::vector<std::uint8_t>& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<std::uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<std::uint8_t>(v));
}

}  // namespace

EncodedStep encode_step(std::span<const StepEntry> sorted) {
  EncodedStep s;
  std::uint64_t hits = 0, bytes = 0;
  for (const StepEntry& e : sorted) {
    if (e.counts.bytes) s.fields |= EncodedStep::kBytes | EncodedStep::kBytesVsHits;
    if (e.counts.latency_samples || e.counts.latency_us_sum) s.fields |= EncodedStep::kLatency;
    hits += e.counts.hits, bytes += e.counts.bytes;  // a mean: wrapping sums only make it worse, not wrong
  }
  if (hits) s.bytes_per_hit = bytes / hits;
  // Sized for the common case (small gaps and counts) to grow at most once,
  // then trimmed: a step lives for hours.
  s.data.reserve(sorted.size() * (3 + ((s.fields & EncodedStep::kBytes) ? 3 : 0)));
  std::uint32_t prev = 0;
  for (const StepEntry& e : sorted) {
    put_varint(s.data, e.key - prev);
    prev = e.key;
    put_varint(s.data, e.counts.hits);
    if (s.fields & EncodedStep::kBytes)
      put_varint(s.data, step_codec_detail::zigzag(e.counts.bytes - e.counts.hits * s.bytes_per_hit));
    if (s.fields & EncodedStep::kLatency) {
      put_varint(s.data, e.counts.latency_us_sum);
      put_varint(s.data, e.counts.latency_samples);
    }
  }
  s.data.shrink_to_fit();
  s.entries = static_cast<std::uint32_t>(sorted.size());
  return s;
}

std::vector<StepEntry> decode_step(const EncodedStep& s) {
  std::vector<StepEntry> out;
  out.reserve(s.entries);
  for_each_entry(s, [&](std::uint32_t key, const Counts& c) { out.push_back(StepEntry{key, c}); });
  return out;
}

EncodedStep merge_steps(const EncodedStep& a, const EncodedStep& b) {
  std::vector<StepEntry> x = decode_step(a), y = decode_step(b), out;
  out.reserve(x.size() + y.size());
  std::size_t i = 0, j = 0;
  while (i < x.size() || j < y.size()) {
    if (j == y.size() || (i < x.size() && x[i].key < y[j].key)) {
      out.push_back(x[i++]);
    } else if (i == x.size() || y[j].key < x[i].key) {
      out.push_back(y[j++]);
    } else {
      out.push_back(x[i++]);
      out.back().counts += y[j++].counts;
    }
  }
  return encode_step(out);
}

}  // namespace asncounter
