#pragma once
// Internal to the LPM table: turns nested prefixes into the flat list of
// non-overlapping address ranges they imply, each tagged with the id of its
// longest covering prefix. Both families' lookup structures are built from
// this list, so the longest-match rule lives in one place.

#include <cstdint>
#include <vector>

namespace asncounter::lpm {

/// A 128-bit unsigned integer (the IPv6 address space); __extension__ keeps
/// -Wpedantic quiet about the GNU type.
__extension__ typedef unsigned __int128 U128;

/// One prefix as an inclusive address interval, in the key type of its family.
template <class Key>
struct Interval {
  Key first{};
  Key last{};
  std::uint32_t id{};
};

/// Where a range starts and the prefix id it maps to (0: unrouted).
template <class Key>
struct Boundary {
  Key start{};
  std::uint32_t id{};
};

/// Flattens `sorted` (ordered by first ascending, then by last descending, so
/// that a covering prefix comes before what it covers; no duplicates) into
/// boundaries: the first starts at 0, starts strictly increase, and
/// neighbours never share an id.
template <class Key>
std::vector<Boundary<Key>> flatten(const std::vector<Interval<Key>>& sorted) {
  std::vector<Boundary<Key>> out;
  out.reserve(sorted.size() * 2 + 1);
  // Later writes at the same start replace earlier ones: the last word at an
  // address belongs to the most specific prefix starting there.
  auto emit = [&out](Key start, std::uint32_t id) {
    if (!out.empty() && out.back().start == start) {
      out.back().id = id;
      if (out.size() >= 2 && out[out.size() - 2].id == id) out.pop_back();
      return;
    }
    if (!out.empty() && out.back().id == id) return;
    out.push_back({start, id});
  };
  emit(Key{0}, 0);
  std::vector<Interval<Key>> open;  // the chain of prefixes covering the cursor
  auto close_until = [&](const Key* next_first) {
    while (!open.empty() && (next_first == nullptr || open.back().last < *next_first)) {
      Key last = open.back().last;
      open.pop_back();
      // A range ending at the top of the space has no successor to start.
      if (last == static_cast<Key>(~Key{0})) continue;
      emit(static_cast<Key>(last + 1), open.empty() ? 0 : open.back().id);
    }
  };
  for (const auto& iv : sorted) {
    close_until(&iv.first);
    emit(iv.first, iv.id);
    open.push_back(iv);
  }
  close_until(nullptr);
  return out;
}

}  // namespace asncounter::lpm
