#pragma once
// The first element of a sorted range not less than `key`, searched from
// `from` forward by doubling steps, then by halves: O(log d) for a key d
// places on. Looking up ascending keys one after the other (a step's
// entries in a sorted dictionary) costs a few compares each instead of a
// binary search over the whole rest.

#include <algorithm>

namespace asncounter {

template <class It, class T, class Less>
It gallop_lower_bound(It from, It end, const T& key, Less less) {
  // Everything before `from` is less than `key`.
  for (std::ptrdiff_t n = 1;; n *= 2) {
    if (end - from <= n) return std::lower_bound(from, end, key, less);
    if (!less(from[n - 1], key)) return std::lower_bound(from, from + n, key, less);
    from += n;
  }
}

}  // namespace asncounter
