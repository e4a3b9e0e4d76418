#pragma once
// Internal to the history (history.cpp, history_tiers.cpp,
// history_window.cpp, history_state.cpp): the dense per-id sums it keeps
// beside its steps, which are a generation's counts at the last close
// (Track, the snapshot a close diffs against) and a window's rolling sum
// (Rolling), a coarse tier (Tier), and the diff itself, a template so that
// its per-id callback inlines in every file that closes a step or sums a
// window.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <unordered_map>
#include <vector>

#include "common/counts.hpp"
#include "daemon/store/counter_array.hpp"
#include "daemon/store/history.hpp"
#include "daemon/store/step_codec.hpp"
#include "daemon/store/store_rows.hpp"

namespace asncounter {

namespace history_detail {

inline bool moved(const Counts& c) { return c.hits || c.bytes || c.latency_us_sum || c.latency_samples; }

/// Sorts entries by key and adds up those with the same key.
void sort_merge(std::vector<StepEntry>& v);

}  // namespace history_detail

/// A generation's counts at the last close (summed over shards), and for a
/// replaced generation the memo of its ids' keys in the current table.
struct History::Track {
  explicit Track(std::size_t ids) : hits(ids), bytes(ids), latency_sum(ids), latency_samples(ids) {}
  CounterArray hits, bytes, latency_sum, latency_samples;  // mmap: untouched fields cost nothing
  std::vector<std::uint32_t> memo;
  bool bytes_touched = false, latency_touched = false;
  /// Adds `c` at `id`, marking the fields it carries as touched.
  void add(PrefixId id, const Counts& c) {
    hits[id] += c.hits;
    if (c.bytes) bytes[id] += c.bytes, bytes_touched = true;
    if (c.latency_samples || c.latency_us_sum) {
      latency_sum[id] += c.latency_us_sum;
      latency_samples[id] += c.latency_samples;
      latency_touched = true;
    }
  }
  void clear() {
    hits.clear();
    bytes.clear();
    latency_sum.clear();
    latency_samples.clear();
    bytes_touched = latency_touched = false;
    memo.clear();
  }
};

/// The sum of the newest steps covering `length`: every step from seq
/// `first_seq` on, as dense arrays of the current table's ids plus orphan keys.
/// It holds the steps that start strictly after the last close - `length`:
/// those a query of `length` takes at any time after that close and before
/// the next (it asks from now - length, past the last close - length), so
/// such a query adds or takes away no step of its own. Holding the step
/// that starts exactly at last close - length instead made every query
/// between closes take that step away again: a whole step's entries
/// decoded, a few ms with a full table's traffic.
struct History::Rolling {
  Rolling(std::chrono::seconds l, std::size_t ids, std::uint64_t first)
      : length(l), sums(ids), first_seq(first) {}
  std::chrono::seconds length;
  Track sums;
  std::unordered_map<std::uint32_t, Counts> orphans;
  std::uint64_t first_seq;
};

/// A coarse tier: its closed steps (folded), their sum, and the step it is
/// filling (exact: the sum of the finer tier's steps since its bucket began).
/// The sum lets a window covering most of the tier take the few steps it
/// does not cover away instead of adding up the many it does: a week of
/// hourly steps is ~10M entries, their sum about one per ASN.
struct History::Tier {
  explicit Tier(const TierConfig& c) : config(c) {}
  TierConfig config;
  std::deque<Step> steps;  // oldest first
  std::size_t step_bytes = 0;
  EncodedStep total;  ///< every step in `steps`, added (modulo 2^64)
  Counts total_bound{};
  std::optional<Step> filling;
  std::uint64_t dropped = 0;  ///< steps dropped for the cap
  std::uint64_t folded = 0;   ///< prefix entries folded into "other prefixes"
  std::size_t bytes() const { return step_bytes + total.memory() + (filling ? filling->data.memory() : 0); }
  void push_back(Step s) {
    total = merge_steps(total, s.data, true);
    add_wrapping(total_bound, s.bound);  // wraps as pop_front takes it away
    step_bytes += s.data.memory();
    steps.push_back(std::move(s));
  }
  void pop_front() {
    total = subtract_steps(total, steps.front().data);
    subtract_wrapping(total_bound, steps.front().bound);
    step_bytes -= steps.front().data.memory();
    steps.pop_front();
  }
};

template <class F>
void History::diff(Generation& g, Track& t, bool update, F&& emit) {
  sum_shards(g, scratch_);
  const std::size_t n = g.id_count();
  const bool has_bytes = !scratch_.bytes.empty() || t.bytes_touched;
  const bool has_latency = !scratch_.latency_sum.empty() || t.latency_touched;
  if (has_bytes && scratch_.bytes.empty()) scratch_.bytes.assign(n, 0);
  if (has_latency && scratch_.latency_sum.empty())
    scratch_.latency_sum.assign(n, 0), scratch_.latency_samples.assign(n, 0);
  const std::uint64_t* h = scratch_.hits.data();
  std::uint64_t* sh = t.hits.data();
  for (PrefixId id = 0; id < n; ++id) {
    // Counters only grow between closes (reset, folding and import adjust
    // the snapshot under the same lock), so the difference is the move.
    Counts d;
    d.hits = h[id] - sh[id];
    if (has_bytes) d.bytes = scratch_.bytes[id] - t.bytes[id];
    if (has_latency) {
      d.latency_us_sum = scratch_.latency_sum[id] - t.latency_sum[id];
      d.latency_samples = scratch_.latency_samples[id] - t.latency_samples[id];
    }
    if (!history_detail::moved(d)) continue;
    emit(id, d);
    if (!update) continue;
    sh[id] = h[id];
    if (has_bytes) t.bytes[id] = scratch_.bytes[id];
    if (has_latency) {
      t.latency_sum[id] = scratch_.latency_sum[id];
      t.latency_samples[id] = scratch_.latency_samples[id];
    }
  }
  if (update) {
    t.bytes_touched = has_bytes;
    t.latency_touched = has_latency;
  }
}

}  // namespace asncounter
