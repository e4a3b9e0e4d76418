#pragma once
// A small MRT (RFC 6396, RFC 8050) writer for tests, benchmarks and the demo:
// TABLE_DUMP v1 with 2-byte AS paths, TABLE_DUMP_V2 with a PEER_INDEX_TABLE
// and (ADD-PATH) RIB records, written plain, gzip or bzip2.

#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/ip.hpp"

namespace asncounter::test {

/// AS_PATH segment types (RFC 4271, RFC 5065).
inline constexpr std::uint8_t kAsSet = 1;
inline constexpr std::uint8_t kAsSequence = 2;
inline constexpr std::uint8_t kAsConfedSequence = 3;
inline constexpr std::uint8_t kAsConfedSet = 4;

/// One AS_PATH segment (at most 255 ASNs).
struct AsSegment {
  std::uint8_t type{kAsSequence};
  std::vector<std::uint32_t> asns;
};

/// An AS_SEQUENCE segment.
AsSegment as_seq(std::vector<std::uint32_t> asns);
/// An AS_SET segment.
AsSegment as_set(std::vector<std::uint32_t> asns);

/// One peer's route to a prefix.
struct RibEntry {
  std::vector<AsSegment> as_path;   ///< the AS_PATH attribute's segments
  bool with_as_path{true};          ///< false: no AS_PATH attribute at all
  std::vector<AsSegment> as4_path;  ///< written as an AS4_PATH attribute when not empty
  std::uint16_t peer_index{0};      ///< TABLE_DUMP_V2 only
  std::uint32_t path_id{0};         ///< ADD-PATH records only
};

/// An entry whose AS_PATH is the one AS_SEQUENCE `path` (origin last).
RibEntry path_entry(std::vector<std::uint32_t> path, std::uint16_t peer_index = 0);

/// Builds MRT records in memory; take or write the bytes out as you go.
class MrtWriter {
 public:
  explicit MrtWriter(std::uint32_t timestamp = 1700000000) : timestamp_(timestamp) {}

  /// The MRT header timestamp of the records that follow.
  void set_timestamp(std::uint32_t t) { timestamp_ = t; }
  /// A TABLE_DUMP_V2 PEER_INDEX_TABLE with `peers` IPv4 peers (4-byte ASNs).
  void peer_index_table(std::uint16_t peers);
  /// A TABLE_DUMP_V2 RIB_IPV4/IPV6_UNICAST record (the _ADDPATH subtype when `add_path`).
  void rib(const Prefix& prefix, const std::vector<RibEntry>& entries, bool add_path = false);
  /// A TABLE_DUMP (v1) record: one entry, 2-byte AS numbers (throws on larger ones).
  void table_dump(const Prefix& prefix, const RibEntry& entry);
  /// Any record, verbatim (unknown types, hand-made corruption).
  void record(std::uint16_t type, std::uint16_t subtype, std::span<const unsigned char> body);

  /// The bytes written so far.
  const std::vector<unsigned char>& bytes() const { return out_; }
  /// Hands over the bytes written so far and starts afresh.
  std::vector<unsigned char> take();

 private:
  std::vector<unsigned char> out_;
  std::uint32_t timestamp_;
  std::uint32_t sequence_ = 0;
};

/// How a fixture file is compressed.
enum class Packing { plain, gzip, bzip2 };

/// A file written plain, gzip or bzip2, streaming. Throws std::runtime_error.
class PackedFile {
 public:
  PackedFile(const std::string& path, Packing packing);
  ~PackedFile();
  PackedFile(const PackedFile&) = delete;
  PackedFile& operator=(const PackedFile&) = delete;
  /// Appends (compressing) `data`.
  void write(std::span<const unsigned char> data);
  /// Finishes the compressed stream and closes the file.
  void close();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// Writes `data` to `path` in one go.
void write_packed(const std::string& path, std::span<const unsigned char> data, Packing packing);

/// The file name suffix of a packing: "", ".gz" or ".bz2".
std::string packing_suffix(Packing packing);

}  // namespace asncounter::test
