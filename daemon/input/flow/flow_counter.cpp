#include "daemon/input/flow/flow_counter.hpp"

#include <algorithm>
#include <limits>
#include <utility>

namespace asncounter::flow {
namespace {

std::uint64_t scale(std::uint64_t n, std::uint64_t rate) {
  if (n != 0 && rate > std::numeric_limits<std::uint64_t>::max() / n)
    return std::numeric_limits<std::uint64_t>::max();
  return n * rate;
}

}  // namespace

FlowCounter::FlowCounter(bool destination, std::uint32_t fallback_rate, Sink sink)
    : destination_(destination),
      fallback_rate_(std::max<std::uint32_t>(fallback_rate, 1)),
      sink_(std::move(sink)),
      batch_(std::make_unique<EventBatch>()) {
  batch_->has_bytes = true;
}

// One slot per record whatever its count: a batch slot holds 64 bits and the
// store saturates, so no work grows with what a record claims.
void FlowCounter::count(const FlowRecord& f) {
  const std::uint64_t rate = f.sampling_rate != 0 ? f.sampling_rate : fallback_rate_;
  const Address& a = destination_ ? f.destination : f.source;
  ++events_;
  batch_->push(a, scale(f.packets, rate), scale(f.octets, rate));
  if (batch_->full()) flush();
}

void FlowCounter::flush() {
  if (batch_->size == 0) return;
  sink_(*batch_);
  batch_->clear();
}

}  // namespace asncounter::flow
