#pragma once
// Internal to the LPM table: the IPv4 part, a compressed direct table in the
// spirit of Poptrie. A DIR-24-8 table answers in one memory access, but its
// 64 MiB first level cannot stay in cache, so a random lookup waits for DRAM.
// This layout answers most addresses in one or two accesses to a few MiB
// that do stay in cache (three in a /24 that a longer prefix splits):
//
//   slot     one per /18 (4 MiB in all): a 64-bit map with a bit set at each
//            of its 64 /24s where the answer changes, the answer in force at
//            its start, and where its later answers start in runs_
//   runs_    those later answers, in address order: a /24 whose map has n
//            bits set at or below its own position takes the slot's nth
//            answer
//   groups_  256 answers, one per address, for each /24 that a prefix longer
//            than /24 splits (as DIR-24-8's second level)
//
// An answer is a prefix id, or kGroup with a group's index.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/table/lpm_ranges.hpp"

// The lookup counts bits. Debian builds for the base x86-64 ABI, which lacks
// POPCNT, and there GCC calls a library routine instead: a third of the
// lookup's time. Functions that run lookups carry this attribute, so they are
// built twice and the loader picks the POPCNT copy on CPUs that have it
// (every x86-64 CPU since 2008). Not under TSan: the loader runs the
// chooser before TSan's runtime is set up, and its instrumented entry
// crashes the process.
#if defined(__x86_64__) && !defined(__POPCNT__) && !defined(__SANITIZE_THREAD__)
#define ASNCOUNTER_POPCNT_CLONES __attribute__((target_clones("popcnt", "default")))
#else
#define ASNCOUNTER_POPCNT_CLONES
#endif

namespace asncounter::lpm {

class V4Index {
 public:
  /// Answers with this bit set name a group instead of an id.
  static constexpr std::uint32_t kGroup = 0x80000000U;
  static constexpr unsigned kSlotShift = 14;                       ///< a slot covers 2^14 addresses: 64 /24s
  static constexpr std::size_t kSlotCount = std::size_t{1} << 18;  ///< slots in every index

  struct Slot {
    std::uint64_t changes = 1;        ///< bit j: an answer starts at the slot's jth /24
    std::uint32_t first_answer = 0;   ///< the answer at bit 0 (so an unsplit slot needs no run)
    std::uint32_t later_answers = 0;  ///< index in runs_ of the answer at the second set bit
  };
  /// The arrays lookups read: the index's own, or a mapped table cache's.
  struct Parts {
    std::span<const Slot> slots;  ///< kSlotCount of them
    std::span<const std::uint32_t> runs;
    std::span<const std::uint32_t> groups;  ///< 256 answers per group
  };

  /// Everything unrouted.
  V4Index();
  /// From the flat ranges of lpm::flatten (first boundary at 0).
  explicit V4Index(const std::vector<Boundary<std::uint32_t>>& ranges);
  /// Over arrays someone else keeps alive (checked by the caller: see
  /// common/table/table_cache.cpp).
  explicit V4Index(Parts parts) : parts_(parts) {}
  // Moves keep the views valid (a moved vector keeps its buffer); a copy would not.
  V4Index(V4Index&&) noexcept = default;
  V4Index& operator=(V4Index&&) noexcept = default;
  V4Index(const V4Index&) = delete;
  V4Index& operator=(const V4Index&) = delete;

  const Parts& parts() const noexcept { return parts_; }

  /// The prefix id for `a` (0: unrouted).
  std::uint32_t lookup(std::uint32_t a) const noexcept { return resolve(answer_of(a), a); }

  // The steps of lookup(), for a caller that interleaves many lookups and
  // prefetches each step's memory well ahead of the next step.

  /// Starts loading the slot of `a`.
  void prefetch_slot(std::uint32_t a) const noexcept { __builtin_prefetch(&parts_.slots[a >> kSlotShift]); }
  /// Where the answer for `a` is (in its slot, or in runs_).
  const std::uint32_t* answer_of(std::uint32_t a) const noexcept {
    const Slot& s = parts_.slots[a >> kSlotShift];
    unsigned j = (a >> 8) & 63U;
    // The set bits at positions 0..j (bit 0 is always set): the nth answer.
    auto changes = static_cast<unsigned>(__builtin_popcountll(s.changes & (~0ULL >> (63 - j))));
    // GCC makes this a branch. A select by mask measured slower (8-20%
    // fewer lookups/s): where the branch is predicted right, the load of the
    // answer need not wait for the bit count.
    return changes == 1 ? &s.first_answer : &parts_.runs[s.later_answers + changes - 2];
  }
  /// The prefix id from that answer (reading the group if it names one).
  std::uint32_t resolve(const std::uint32_t* answer, std::uint32_t a) const noexcept {
    std::uint32_t e = *answer;
    if (e & kGroup) [[unlikely]]
      e = parts_.groups[(static_cast<std::size_t>(e & ~kGroup) << 8) | (a & 0xffU)];
    return e;
  }

  std::size_t memory_bytes() const noexcept;

 private:
  void bind() noexcept { parts_ = {slots_, runs_, groups_}; }

  // What a built index owns (empty for one over a cache's arrays).
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> runs_;
  std::vector<std::uint32_t> groups_;
  Parts parts_;
};

}  // namespace asncounter::lpm
