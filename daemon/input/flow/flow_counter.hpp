#pragma once
// Flow records to counted events: hits = packets × rate and bytes = octets ×
// rate (the exporter's rate, or flow-sampling when it reports none), for the
// source or the destination address, pushed into batches for the store. The
// flow inputs and the flow benchmark share it, so the benchmark measures the
// code the daemon runs.

#include <cstdint>
#include <functional>
#include <memory>

#include "daemon/input/flow/flow_record.hpp"
#include "daemon/store/event_batch.hpp"

namespace asncounter::flow {

class FlowCounter {
 public:
  /// Receives each full batch, and the last partial one on flush().
  using Sink = std::function<void(const EventBatch&)>;

  FlowCounter(bool destination, std::uint32_t fallback_rate, Sink sink);

  /// Counts one record in one batch slot; hits and bytes saturate past 2^64.
  void count(const FlowRecord& f);
  /// Hands the partial batch to the sink.
  void flush();
  /// Records counted so far.
  std::uint64_t events() const { return events_; }

 private:
  const bool destination_;
  const std::uint32_t fallback_rate_;
  Sink sink_;
  std::unique_ptr<EventBatch> batch_;
  std::uint64_t events_ = 0;
};

}  // namespace asncounter::flow
