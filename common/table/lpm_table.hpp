#pragma once
// The immutable longest-prefix-match table. Built once off the hot path,
// then shared read-only (std::shared_ptr<const LpmTable>) by every thread.
//
// Every distinct prefix gets a dense id 1..prefix_count() (0 means
// unrouted), so counters can be flat arrays indexed by id.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "common/ip.hpp"
#include "common/table/route.hpp"

namespace asncounter {

using PrefixId = std::uint32_t;
inline constexpr PrefixId kUnrouted = 0;

struct LpmParts;  // common/table/lpm_parts.hpp

/// A lookup's answer.
struct Match {
  Prefix prefix;
  std::uint32_t asn{};
  PrefixId id{};
};

class LpmTable {
 public:
  /// Builds a table. For a prefix given more than once the first route wins
  /// (pyasn's rule); default routes (0.0.0.0/0, ::/0) are dropped.
  static std::shared_ptr<const LpmTable> build(const std::vector<Route>& routes, TableInfo info);
  /// An empty table: everything unrouted (the daemon before its first table).
  static std::shared_ptr<const LpmTable> empty();

  /// A table over arrays that `owner` keeps alive (a mapped table cache).
  /// The caller has checked them: every index in them stays in bounds.
  static std::shared_ptr<const LpmTable> from_parts(const LpmParts& parts, TableInfo info,
                                                    std::shared_ptr<const void> owner);

  ~LpmTable();
  LpmTable(const LpmTable&) = delete;
  LpmTable& operator=(const LpmTable&) = delete;

  /// The id of the longest prefix holding `a` (IPv4-mapped IPv6 is looked up
  /// as IPv4), or kUnrouted.
  PrefixId lookup_id(const Address& a) const noexcept;
  /// The same for a host-order IPv4 address.
  PrefixId lookup_v4(std::uint32_t a) const noexcept;
  /// Batched lookup_id with prefetching: out[i] = lookup_id(in[i]).
  void lookup_ids(std::span<const Address> in, std::span<PrefixId> out) const noexcept;
  /// The full answer for one address, or nullopt when unrouted.
  std::optional<Match> lookup(const Address& a) const noexcept;

  /// Number of distinct prefixes; ids run 1..prefix_count().
  std::size_t prefix_count() const noexcept;
  std::size_t v4_prefix_count() const noexcept;
  std::size_t v6_prefix_count() const noexcept;
  /// The prefix and origin of an id in 1..prefix_count(). By value: prefixes
  /// are stored packed (9 or 21 bytes, not sizeof(Prefix)) to keep a full
  /// table small.
  Prefix prefix(PrefixId id) const noexcept;
  std::uint32_t asn(PrefixId id) const noexcept;
  /// Every prefix with origin `asn`, sorted (v4 before v6, then by address and length).
  std::vector<Prefix> as_prefixes(std::uint32_t asn) const;
  /// All routes, sorted like as_prefixes (for writing ipasn files).
  std::vector<Route> routes() const;
  const TableInfo& info() const noexcept;
  /// Bytes held by the lookup structures (for stats and benchmarks).
  std::size_t memory_bytes() const noexcept;
  /// The arrays the table is made of (for writing the table cache).
  const LpmParts& parts() const noexcept;

  struct Impl;

 private:
  explicit LpmTable(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace asncounter
