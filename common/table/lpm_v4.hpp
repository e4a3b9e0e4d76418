#pragma once
// Internal to the LPM table: the IPv4 part, a DIR-24-8 table. One 2^24-entry
// array answers every address whose /24 holds no prefix boundary with a
// single memory access; the few /24s that do point to a 256-entry group.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/table/lpm_ranges.hpp"

namespace asncounter::lpm {

/// An anonymous, zero-filled mapping (huge pages where the kernel allows).
/// Untouched pages cost no memory, so an empty table is free.
class MappedWords {
 public:
  MappedWords() = default;
  explicit MappedWords(std::size_t count);
  ~MappedWords();
  MappedWords(MappedWords&& other) noexcept;
  MappedWords& operator=(MappedWords&& other) noexcept;
  MappedWords(const MappedWords&) = delete;
  MappedWords& operator=(const MappedWords&) = delete;

  std::uint32_t* data() noexcept { return data_; }
  const std::uint32_t* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return count_; }

 private:
  std::size_t mapped_bytes() const noexcept;

  void* base_ = nullptr;  ///< what mmap returned (data_ is aligned up from it)
  std::uint32_t* data_ = nullptr;
  std::size_t count_ = 0;
};

class Dir248 {
 public:
  /// Entries of tbl24 with this bit set name a group of tbl8 instead of an id.
  static constexpr std::uint32_t kGroup = 0x80000000U;

  /// Everything unrouted.
  Dir248();
  /// From the flat ranges of lpm::flatten (first boundary at 0).
  explicit Dir248(const std::vector<Boundary<std::uint32_t>>& ranges);

  /// The prefix id for `a` (0: unrouted).
  std::uint32_t lookup(std::uint32_t a) const noexcept {
    std::uint32_t e = tbl24_.data()[a >> 8];
    if (e & kGroup) [[unlikely]]
      e = tbl8_[(static_cast<std::size_t>(e & ~kGroup) << 8) | (a & 0xffU)];
    return e;
  }
  /// Starts loading the tbl24 entry of `a` into the cache.
  void prefetch(std::uint32_t a) const noexcept { __builtin_prefetch(tbl24_.data() + (a >> 8)); }
  /// Number of 256-entry groups (the /24s split by a boundary).
  std::size_t groups() const noexcept { return tbl8_.size() / 256; }
  std::size_t memory_bytes() const noexcept;

 private:
  MappedWords tbl24_;
  std::vector<std::uint32_t> tbl8_;
};

}  // namespace asncounter::lpm
