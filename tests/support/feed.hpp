#pragma once
// Counts hits into a store as an input would: `n` events of one address, in
// full batches, each with `bytes` bytes (0: the batch carries no bytes).

#include <cstdint>

#include "daemon/store/counter_store.hpp"
#include "daemon/store/event_batch.hpp"
#include "tests/support/addresses.hpp"

namespace asncounter::test {

inline void feed(CounterStore& store, const char* address, std::uint32_t n, std::uint64_t bytes = 0) {
  EventBatch b;
  b.has_bytes = bytes != 0;
  const Address a = addr(address);
  for (std::uint32_t i = 0; i < n; ++i) {
    b.push(a, 1, bytes);
    if (b.full()) store.add(b), b.clear();
  }
  if (b.size) store.add(b);
}

}  // namespace asncounter::test
