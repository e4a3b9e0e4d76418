#include "daemon/store/step_codec.hpp"

#include <utility>

namespace asncounter {

namespace {

void put_varint(std::vector<std::uint8_t>& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<std::uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<std::uint8_t>(v));
}

/// What a step's entries carry and their totals, which set its fields and
/// its mean bytes per hit.
struct StepShape {
  std::uint8_t fields{};
  std::uint64_t hits{}, bytes{};
  void add(const Counts& c) {
    if (c.bytes) fields |= EncodedStep::kBytes | EncodedStep::kBytesVsHits;
    if (c.latency_samples || c.latency_us_sum) fields |= EncodedStep::kLatency;
    hits += c.hits, bytes += c.bytes;  // a mean: wrapping sums only make it worse, not wrong
  }
};

/// Appends entries, keys strictly ascending, to a step of a given shape.
class StepWriter {
 public:
  StepWriter(const StepShape& shape, std::size_t reserve) {
    s_.fields = shape.fields;
    if (shape.hits) s_.bytes_per_hit = shape.bytes / shape.hits;
    s_.data.reserve(reserve);
  }
  void put(const StepEntry& e) {
    put_varint(s_.data, e.key - prev_);
    prev_ = e.key;
    put_varint(s_.data, e.counts.hits);
    if (s_.fields & EncodedStep::kBytes)
      put_varint(s_.data, step_codec_detail::zigzag(e.counts.bytes - e.counts.hits * s_.bytes_per_hit));
    if (s_.fields & EncodedStep::kLatency) {
      put_varint(s_.data, e.counts.latency_us_sum);
      put_varint(s_.data, e.counts.latency_samples);
    }
    ++s_.entries;
  }
  EncodedStep finish() {
    s_.data.shrink_to_fit();  // a step lives for hours
    return std::move(s_);
  }

 private:
  EncodedStep s_;
  std::uint32_t prev_ = 0;
};

}  // namespace

EncodedStep encode_step(std::span<const StepEntry> sorted) {
  StepShape shape;
  for (const StepEntry& e : sorted) shape.add(e.counts);
  // Sized for the common case (small gaps and counts) to grow at most once.
  StepWriter w(shape, sorted.size() * (3 + ((shape.fields & EncodedStep::kBytes) ? 2 : 0)));
  for (const StepEntry& e : sorted) w.put(e);
  return w.finish();
}

std::vector<StepEntry> decode_step(const EncodedStep& s) {
  std::vector<StepEntry> out;
  out.reserve(s.entries);
  for_each_entry(s, [&](std::uint32_t key, const Counts& c) { out.push_back(StepEntry{key, c}); });
  return out;
}

namespace {

// Walks two steps' keys in order, streamed, never decoded whole: a coarse
// tier merges every step of the tier before it into the step it is
// filling, which holds up to a whole table's prefixes (decoding both and
// the sum cost ~80 MB a minute). `only_b` makes the entry of a key only b
// has; `both` puts what a key of both comes to.
template <class OnlyB, class Both>
EncodedStep zip_steps(const EncodedStep& a, const EncodedStep& b, const StepShape& shape, OnlyB only_b,
                      Both both) {
  StepWriter w(shape, a.data.size() + b.data.size());
  StepReader x(a), y(b);
  StepEntry ex, ey;
  bool hx = x.next(ex), hy = y.next(ey);
  while (hx || hy) {
    if (hx && (!hy || ex.key < ey.key)) {
      w.put(ex);
      hx = x.next(ex);
    } else if (hy && (!hx || ey.key < ex.key)) {
      w.put(only_b(ey));
      hy = y.next(ey);
    } else {
      both(w, ex, ey);
      hx = x.next(ex), hy = y.next(ey);
    }
  }
  return w.finish();
}

}  // namespace

EncodedStep subtract_steps(const EncodedStep& a, const EncodedStep& b) {
  StepShape shape;
  for_each_entry(a, [&](std::uint32_t, const Counts& c) { shape.add(c); });
  std::uint64_t hits = shape.hits, bytes = shape.bytes;
  for_each_entry(b, [&](std::uint32_t, const Counts& c) { hits -= c.hits, bytes -= c.bytes; });
  shape.hits = hits, shape.bytes = bytes;
  return zip_steps(
      a, b, shape,
      [](StepEntry e) {
        const Counts c = e.counts;
        e.counts = {};
        subtract_wrapping(e.counts, c);  // modulo 2^64, as the steps were added
        return e;
      },
      [](StepWriter& w, StepEntry x, const StepEntry& y) {
        subtract_wrapping(x.counts, y.counts);
        if (x.counts != Counts{}) w.put(x);
      });
}

EncodedStep merge_steps(const EncodedStep& a, const EncodedStep& b, bool wrapping) {
  StepShape shape;
  for (const EncodedStep* s : {&a, &b})
    for_each_entry(*s, [&](std::uint32_t, const Counts& c) { shape.add(c); });
  return zip_steps(
      a, b, shape, [](const StepEntry& e) { return e; },
      [wrapping](StepWriter& w, StepEntry x, const StepEntry& y) {
        if (wrapping)
          add_wrapping(x.counts, y.counts);
        else
          x.counts += y.counts;
        w.put(x);
      });
}

}  // namespace asncounter
