#pragma once
// Exponential backoff with full jitter for retrying downloads, so that many
// daemons that failed together do not retry together.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>

namespace asncounter {

class Backoff {
 public:
  Backoff(std::chrono::seconds first, std::chrono::seconds cap) : first_(first), cap_(cap) {}

  /// The wait before the next attempt: uniform in [first, min(cap, first * 2^failures)].
  std::chrono::milliseconds next() {
    auto ceiling = std::chrono::duration_cast<std::chrono::milliseconds>(first_);
    for (unsigned i = 0; i < failures_ && ceiling < cap_; ++i) ceiling *= 2;
    ceiling = std::min(ceiling, std::chrono::duration_cast<std::chrono::milliseconds>(cap_));
    ++failures_;
    auto floor = std::chrono::duration_cast<std::chrono::milliseconds>(first_);
    std::uniform_int_distribution<std::int64_t> pick(floor.count(), std::max(floor, ceiling).count());
    return std::chrono::milliseconds(pick(rng_));
  }
  /// After a success: start again from `first`.
  void reset() { failures_ = 0; }
  unsigned failures() const { return failures_; }

 private:
  std::chrono::seconds first_;
  std::chrono::seconds cap_;
  unsigned failures_ = 0;
  std::mt19937_64 rng_{std::random_device{}()};
};

}  // namespace asncounter
