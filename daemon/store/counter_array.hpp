#pragma once
// A zero-initialised array of 64-bit counters backed by an anonymous mapping:
// pages never written cost no resident memory, so a shard that no writer
// picks, or a field no input carries (bytes, latency), is free.

#include <cstddef>
#include <cstdint>

namespace asncounter {

class CounterArray {
 public:
  /// `n` counters, all zero; throws std::bad_alloc when the mapping fails.
  explicit CounterArray(std::size_t n);
  ~CounterArray();
  CounterArray(const CounterArray&) = delete;
  CounterArray& operator=(const CounterArray&) = delete;

  std::uint64_t* data() noexcept { return data_; }
  const std::uint64_t* data() const noexcept { return data_; }
  std::uint64_t& operator[](std::size_t i) noexcept { return data_[i]; }
  std::uint64_t operator[](std::size_t i) const noexcept { return data_[i]; }
  std::size_t size() const noexcept { return size_; }
  /// Zeroes every counter and gives the pages back to the kernel.
  void clear() noexcept;

 private:
  std::uint64_t* data_{};
  std::size_t size_{};
};

}  // namespace asncounter
