#pragma once
// A fixed-size batch of parsed events: inputs fill it, the store takes it
// whole (one shard lock per batch, one batched table lookup).

#include <array>
#include <cstddef>
#include <cstdint>

#include "common/ip.hpp"

namespace asncounter {

struct EventBatch {
  static constexpr std::size_t kCapacity = 512;
  static constexpr std::uint32_t kNoLatency = UINT32_MAX;

  std::array<Address, kCapacity> addrs;
  std::array<std::uint64_t, kCapacity> hits;        ///< 1, a tuple's count, or a flow's packets × rate
  std::array<std::uint64_t, kCapacity> bytes;       ///< 0 when unknown
  std::array<std::uint32_t, kCapacity> latency_us;  ///< kNoLatency when absent
  std::size_t size = 0;
  bool has_bytes = false;    ///< the source carries sizes (packets, bytes: field)
  bool has_latency = false;  ///< the source carries request times

  bool full() const { return size == kCapacity; }
  void clear() { size = 0; }
  void push(const Address& a, std::uint64_t n = 1, std::uint64_t b = 0, std::uint32_t lat = kNoLatency) {
    addrs[size] = a;
    hits[size] = n;
    bytes[size] = b;
    latency_us[size] = lat;
    ++size;
  }
};

}  // namespace asncounter
