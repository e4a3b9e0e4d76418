#include "daemon/input/flow/flow_counter.hpp"

#include <algorithm>
#include <limits>

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

// A count past a batch slot's 32 bits is spread over several slots of the
// same address; the bytes go with the last one.
void FlowCounter::count(const FlowRecord& f) {
  const std::uint64_t rate = f.sampling_rate != 0 ? f.sampling_rate : fallback_rate_;
  std::uint64_t hits = scale(f.packets, rate);
  const std::uint64_t bytes = scale(f.octets, rate);
  const Address& a = destination_ ? f.destination : f.source;
  ++events_;
  constexpr std::uint64_t kSlot = std::numeric_limits<std::uint32_t>::max();
  std::uint64_t left_bytes = bytes;
  do {
    const auto part = static_cast<std::uint32_t>(std::min(hits, kSlot));
    hits -= part;
    batch_->push(a, part, hits == 0 ? left_bytes : 0);
    if (hits == 0) left_bytes = 0;
    if (batch_->full()) flush();
  } while (hits != 0);
}

void FlowCounter::flush() {
  if (batch_->size == 0) return;
  sink_(*batch_);
  batch_->clear();
}

}  // namespace asncounter::flow
