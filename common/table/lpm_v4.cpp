#include "common/table/lpm_v4.hpp"

#include <algorithm>
#include <cstdint>

namespace asncounter::lpm {
namespace {

// Where the answer changes, at /24 granularity: from `block` (address >> 8)
// on, the answer is `answer` (an id, or kGroup with a group index).
struct Change {
  std::uint32_t block;
  std::uint32_t answer;
};

}  // namespace

V4Index::V4Index() : slots_(kSlotCount) { bind(); }

V4Index::V4Index(const std::vector<Boundary<std::uint32_t>>& ranges) : slots_(kSlotCount) {
  // Pass 1: the changes, in address order. A range that covers whole /24s
  // starts a run at its first whole /24; a /24 in which a range starts off
  // its first address is split, and gets a group seeded with the range
  // covering its first address, then overwritten from each boundary inside
  // it onwards.
  std::vector<Change> changes;
  changes.reserve(ranges.size() + 1);
  auto add = [&changes](std::uint32_t block, std::uint32_t answer) {
    if (changes.empty() || changes.back().answer != answer) changes.push_back({block, answer});
  };
  std::size_t group_blocks = 0;
  std::uint32_t last_block = ~0U;
  for (const auto& b : ranges)
    if ((b.start & 0xffU) != 0 && (b.start >> 8) != last_block) ++group_blocks, last_block = b.start >> 8;
  groups_.reserve(group_blocks * 256);
  last_block = ~0U;
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    std::uint32_t start = ranges[i].start;
    if ((start & 0xffU) != 0) {
      std::uint32_t block = start >> 8;
      if (block != last_block) {
        last_block = block;
        add(block, kGroup | static_cast<std::uint32_t>(groups_.size() / 256));
        groups_.resize(groups_.size() + 256, ranges[i - 1].id);
      }
      std::fill(groups_.end() - 256 + (start & 0xffU), groups_.end(), ranges[i].id);
    }
    std::uint64_t end = i + 1 < ranges.size() ? ranges[i + 1].start : (std::uint64_t{1} << 32);
    auto first_block = static_cast<std::uint32_t>((std::uint64_t{start} + 255) >> 8);
    if (first_block < (end >> 8)) add(first_block, ranges[i].id);
  }

  // Pass 2: the slots. A slot keeps the answer in force at its start; the
  // answers from its later changes go to runs_, in order.
  runs_.reserve(changes.size());
  std::size_t next = 0;
  std::uint32_t current = 0;
  for (std::size_t s = 0; s < kSlotCount; ++s) {
    auto first_block = static_cast<std::uint32_t>(s << 6);
    while (next < changes.size() && changes[next].block <= first_block) current = changes[next++].answer;
    Slot& slot = slots_[s];
    slot.first_answer = current;
    slot.later_answers = static_cast<std::uint32_t>(runs_.size());
    while (next < changes.size() && changes[next].block < first_block + 64) {
      slot.changes |= std::uint64_t{1} << (changes[next].block - first_block);
      current = changes[next++].answer;
      runs_.push_back(current);
    }
  }
  runs_.shrink_to_fit();
  bind();
}

std::size_t V4Index::memory_bytes() const noexcept {
  return parts_.slots.size_bytes() + parts_.runs.size_bytes() + parts_.groups.size_bytes();
}

}  // namespace asncounter::lpm
