#include "daemon/store/step_fold.hpp"

#include <algorithm>
#include <numeric>

namespace asncounter::step_fold_detail {

void mark_top(std::span<const StepEntry> sorted, std::size_t k, std::uint64_t Counts::*field,
              std::vector<bool>& keep) {
  if (k == 0) return;
  std::vector<std::uint32_t> order(sorted.size());
  std::iota(order.begin(), order.end(), 0U);
  // Ties go to the lower key, so a fold is the same whatever the order of equal entries.
  auto first = [&](std::uint32_t a, std::uint32_t b) {
    const std::uint64_t x = sorted[a].counts.*field, y = sorted[b].counts.*field;
    return x != y ? x > y : a < b;
  };
  std::nth_element(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k - 1), order.end(), first);
  for (std::size_t i = 0; i < k; ++i)
    if (sorted[order[i]].counts.*field) keep[order[i]] = true;  // an entry with none of it ranks for nothing
}

std::vector<StepEntry> sorted_by_asn(const std::unordered_map<std::uint32_t, Counts>& by_asn) {
  std::vector<StepEntry> out;
  out.reserve(by_asn.size());
  for (const auto& [asn, c] : by_asn) out.push_back(StepEntry{asn, c});
  std::sort(out.begin(), out.end(), [](const StepEntry& a, const StepEntry& b) { return a.key < b.key; });
  return out;
}

}  // namespace asncounter::step_fold_detail
