#include "common/table/lpm_v4.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <new>
#include <utility>

namespace asncounter::lpm {
namespace {

constexpr std::size_t kTbl24 = std::size_t{1} << 24;
constexpr std::size_t kHugePage = std::size_t{2} << 20;

}  // namespace

MappedWords::MappedWords(std::size_t count) : count_(count) {
  // Mapped one huge page larger than needed and aligned by hand: mmap only
  // promises 4 KiB alignment, and the kernel backs only aligned 2 MiB spans
  // with huge pages.
  std::size_t bytes = mapped_bytes();
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  base_ = p;
  auto aligned = (reinterpret_cast<std::uintptr_t>(p) + kHugePage - 1) & ~(kHugePage - 1);
  data_ = reinterpret_cast<std::uint32_t*>(aligned);
  // A random lookup touches a new 4 KiB page almost every time; huge pages
  // spare the TLB misses (a large share of the lookup cost).
  madvise(data_, count * sizeof(std::uint32_t), MADV_HUGEPAGE);
}

MappedWords::~MappedWords() {
  if (base_) munmap(base_, mapped_bytes());
}

std::size_t MappedWords::mapped_bytes() const noexcept {
  return (count_ * sizeof(std::uint32_t) + kHugePage - 1) / kHugePage * kHugePage + kHugePage;
}

MappedWords::MappedWords(MappedWords&& other) noexcept
    : base_(std::exchange(other.base_, nullptr)),
      data_(std::exchange(other.data_, nullptr)),
      count_(std::exchange(other.count_, 0)) {}

MappedWords& MappedWords::operator=(MappedWords&& other) noexcept {
  if (this != &other) {
    MappedWords old(std::move(*this));
    base_ = std::exchange(other.base_, nullptr);
    data_ = std::exchange(other.data_, nullptr);
    count_ = std::exchange(other.count_, 0);
  }
  return *this;
}

Dir248::Dir248() : tbl24_(kTbl24) {}

Dir248::Dir248(const std::vector<Boundary<std::uint32_t>>& ranges) : tbl24_(kTbl24) {
  std::uint32_t* t24 = tbl24_.data();
  // Pass 1: every /24 that one range covers whole gets that range's id.
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    std::uint64_t start = ranges[i].start;
    std::uint64_t end = i + 1 < ranges.size() ? ranges[i + 1].start : (std::uint64_t{1} << 32);
    std::uint64_t first_block = (start + 255) >> 8;
    std::uint64_t end_block = end >> 8;
    if (first_block < end_block && ranges[i].id != 0)
      std::fill(t24 + first_block, t24 + end_block, ranges[i].id);
  }
  // Pass 2: a /24 in which a range starts off its first address is split;
  // it gets a group seeded with the range covering its first address, then
  // overwritten from each boundary inside it onwards.
  std::size_t group_blocks = 0;
  std::uint32_t last_block = ~0U;
  for (const auto& b : ranges)
    if ((b.start & 0xffU) != 0 && (b.start >> 8) != last_block) ++group_blocks, last_block = b.start >> 8;
  tbl8_.reserve(group_blocks * 256);
  last_block = ~0U;
  for (std::size_t i = 1; i < ranges.size(); ++i) {
    std::uint32_t start = ranges[i].start;
    if ((start & 0xffU) == 0) continue;
    std::uint32_t block = start >> 8;
    if (block != last_block) {
      last_block = block;
      t24[block] = kGroup | static_cast<std::uint32_t>(tbl8_.size() / 256);
      tbl8_.resize(tbl8_.size() + 256, ranges[i - 1].id);
    }
    auto group_end = tbl8_.end();
    std::fill(group_end - 256 + (start & 0xffU), group_end, ranges[i].id);
  }
}

std::size_t Dir248::memory_bytes() const noexcept {
  return tbl24_.size() * sizeof(std::uint32_t) + tbl8_.capacity() * sizeof(std::uint32_t);
}

}  // namespace asncounter::lpm
