#pragma once
// Turns split lines into event batches for one line input: parses each
// line, fills a batch, hands full batches to the sink and keeps the
// input's counters. Lives on the input's thread (and one more on each of
// its offload workers, daemon/input/lines/line_offload.hpp).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>

#include "daemon/input/input.hpp"
#include "daemon/input/lines/line_format.hpp"
#include "daemon/input/lines/line_splitter.hpp"
#include "daemon/store/event_batch.hpp"

namespace asncounter {

class LineOffload;

/// Counters of one line input, written by its thread, read by anyone.
struct LineStats {
  std::atomic<std::uint64_t> events{};
  std::atomic<std::uint64_t> rejected{};
  std::atomic<std::uint64_t> oversized{};
  std::atomic<std::uint64_t> reopens{};

  /// The counts as InputCounters, with the input's `state` read under the
  /// input's `mutex`.
  InputCounters snapshot(std::mutex& mutex, const InputState& state) const {
    InputCounters c;
    c.events = events.load(std::memory_order_relaxed);
    c.rejected = rejected.load(std::memory_order_relaxed);
    c.oversized = oversized.load(std::memory_order_relaxed);
    c.reopens = reopens.load(std::memory_order_relaxed);
    std::lock_guard lock(mutex);
    c.state = state;
    return c;
  }
};

class LinePump {
 public:
  /// A partial batch older than this goes out even while lines keep coming.
  static constexpr std::chrono::milliseconds kMaxBatchAge{200};

  LinePump(const LineFormat& format, BatchSink sink, LineStats& stats);

  /// Parses and counts one line.
  void line(std::string_view text);
  /// Counts the address of a line the plain format's one-pass path (see
  /// daemon/input/lines/line_chunk.hpp) has already read: what line() would do.
  void v4_event(std::uint32_t addr) {
    if (batch_->size == 0) batch_start_ = std::chrono::steady_clock::now();
    batch_->push(Address::from_v4(addr));
    ++events_;
    if (batch_->full()) flush();
  }
  /// Counts `n` lines dropped for their length (rejected too).
  void oversized(std::uint64_t n) {
    oversized_ += n;
    rejected_ += n;
  }
  /// The format takes the plain one-pass path.
  bool plain() const { return format_.is_plain(); }
  /// Every complete line the splitter holds, and its oversized count; when
  /// an offload is set and says the input is behind, the lines go to it.
  void drain(LineSplitter& splitter);
  /// Hands the lines of a backlogged input to `offload` (nullptr: none).
  void set_offload(LineOffload* offload) { offload_ = offload; }
  /// At end of input: the splitter's unterminated last line too.
  void finish(LineSplitter& splitter);
  /// Hands over the partial batch (if any) and publishes the counters.
  void flush();
  /// Flushes when the partial batch has waited longer than kMaxBatchAge.
  void flush_if_stale();
  /// A partial batch is waiting.
  bool pending() const { return batch_->size > 0; }

 private:
  void publish();

  const LineFormat& format_;
  BatchSink sink_;
  LineStats& stats_;
  std::unique_ptr<EventBatch> batch_;
  std::chrono::steady_clock::time_point batch_start_;
  // Counted locally and published per chunk: an atomic add per line would
  // cost more than parsing the line.
  std::uint64_t events_ = 0, rejected_ = 0, oversized_ = 0;
  LineOffload* offload_ = nullptr;
};

}  // namespace asncounter
