#include "daemon/input/lines/line_pump.hpp"

#include <utility>

#include "daemon/input/lines/line_chunk.hpp"
#include "daemon/input/lines/line_offload.hpp"

namespace asncounter {

static_assert(LineEvent::kNoLatency == EventBatch::kNoLatency);

LinePump::LinePump(const LineFormat& format, BatchSink sink, LineStats& stats)
    : format_(format), sink_(std::move(sink)), stats_(stats), batch_(std::make_unique<EventBatch>()) {
  batch_->has_bytes = format.has_bytes();
  batch_->has_latency = format.has_latency();
}

void LinePump::line(std::string_view text) {
  LineEvent ev;
  switch (format_.parse_line(text, ev)) {
    case LineOutcome::event:
      if (batch_->size == 0) batch_start_ = std::chrono::steady_clock::now();
      batch_->push(ev.addr, ev.hits, ev.bytes, ev.latency_us);
      ++events_;
      if (batch_->full()) flush();
      break;
    case LineOutcome::reject:
      ++rejected_;
      break;
    case LineOutcome::skip:
      break;
  }
}

void LinePump::drain(LineSplitter& splitter) {
  if (offload_ && offload_->busy(splitter.buffered())) {
    // Behind: the whole lines go to the workers while they have room, a
    // piece at a time is parsed here in one pass (parse_lines), and the
    // workers are offered more in between.
    std::string_view run = offload_->dispatch(splitter.take_lines());
    while (!run.empty()) {
      const std::size_t n = LineOffload::piece(run);
      parse_lines(run.data(), run.data() + n, run.data() + n, false, *this);
      run = offload_->dispatch(run.substr(n));
    }
  }
  while (auto l = splitter.next_line()) line(*l);
  std::uint64_t over = splitter.take_oversized();
  oversized_ += over;
  rejected_ += over;
  publish();
}

void LinePump::finish(LineSplitter& splitter) {
  drain(splitter);
  if (auto l = splitter.finish()) line(*l);
  drain(splitter);  // finish() may have found an oversized tail
}

void LinePump::flush() {
  if (batch_->size > 0) {
    sink_(*batch_);
    batch_->clear();
  }
  publish();
}

void LinePump::flush_if_stale() {
  if (batch_->size > 0 && std::chrono::steady_clock::now() - batch_start_ > kMaxBatchAge) flush();
}

void LinePump::publish() {
  // Events are published with their batch, so that a reader of the
  // counters never sees more events than the sink has received.
  if (batch_->size == 0 && events_) {
    stats_.events.fetch_add(events_, std::memory_order_relaxed);
    events_ = 0;
  }
  if (rejected_) stats_.rejected.fetch_add(std::exchange(rejected_, 0), std::memory_order_relaxed);
  if (oversized_) stats_.oversized.fetch_add(std::exchange(oversized_, 0), std::memory_order_relaxed);
}

}  // namespace asncounter
