#pragma once
// One table generation of the counter store: the table, and per shard flat
// counter arrays indexed by the table's dense prefix id (0: unrouted).

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "common/counts.hpp"
#include "common/table/lpm_table.hpp"
#include "daemon/store/counter_array.hpp"
#include "daemon/store/event_batch.hpp"
#include "daemon/store/lock_guarded.hpp"

namespace asncounter {

/// The counters of one shard of one generation (structure of arrays, so a
/// field no input carries is never touched).
struct ShardCounters {
  explicit ShardCounters(std::size_t ids);

  /// Adds a looked-up batch: ids[i] is the prefix id of batch.addrs[i].
  void add(std::span<const PrefixId> ids, const EventBatch& batch) noexcept;
  /// Adds totals to one id (folding, import).
  void add_at(PrefixId id, const Counts& c) noexcept;
  /// The counts of one id.
  Counts at(PrefixId id) const noexcept;
  /// Zeroes everything.
  void clear() noexcept;

  CounterArray hits, bytes, latency_sum, latency_samples;
  Counts total;          ///< sum over every id, kept per batch
  bool touched = false;  ///< some id has non-zero hits
  bool bytes_touched = false;
  bool latency_touched = false;
};

using Shard = LockGuarded<ShardCounters>;

/// A table and the counters counted against it.
class Generation {
 public:
  Generation(std::shared_ptr<const LpmTable> table, std::size_t shards, std::uint64_t number);

  const std::shared_ptr<const LpmTable>& table() const { return table_; }
  std::uint64_t number() const { return number_; }
  std::size_t shard_count() const { return shard_count_; }
  Shard& shard(std::size_t i) { return *shards_[i]; }
  /// Ids run 0..id_count()-1, 0 being unrouted.
  std::size_t id_count() const { return table_->prefix_count() + 1; }

  /// Dense ASN slots so per-ASN totals are an array walk: slot 0 is
  /// unrouted, slots 1.. one per distinct origin ASN of the table. Made on
  /// first use (thread-safe): a full table's take ~10 ms, which a one-shot
  /// run on an empty input, or a generation replaced before any per-ASN
  /// read, never needs.
  std::uint32_t slot_of_id(PrefixId id) const { return slots().slot_of_id[id]; }
  const std::uint32_t* id_slots() const { return slots().slot_of_id.data(); }
  std::size_t slot_count() const { return slots().asn_of_slot.size(); }
  std::uint32_t asn_of_slot(std::uint32_t slot) const { return slots().asn_of_slot[slot]; }
  std::optional<std::uint32_t> slot_of_asn(std::uint32_t asn) const;

  /// The id of exactly `prefix` with origin `asn` in this table, when the
  /// table has it (found by probing the first and last address of the prefix,
  /// nullopt when both are covered by more specifics: the caller copes).
  std::optional<PrefixId> find(const Prefix& prefix, std::uint32_t asn) const;

  /// Sum of contended shard locks.
  std::uint64_t contended() const;

 private:
  std::shared_ptr<const LpmTable> table_;
  std::uint64_t number_;
  std::size_t shard_count_;
  std::vector<std::unique_ptr<Shard>> shards_;  // Shard holds a mutex: not movable
  struct AsnSlots {
    std::vector<std::uint32_t> slot_of_id;
    std::vector<std::uint32_t> asn_of_slot;
    std::unordered_map<std::uint32_t, std::uint32_t> slot_of_asn;
  };
  const AsnSlots& slots() const;
  mutable std::once_flag slots_made_;
  mutable AsnSlots slots_;
};

}  // namespace asncounter
