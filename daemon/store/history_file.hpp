#pragma once
// The history's own file beside the counts: DIR/history.state. Binary, made
// of records read and written one at a time, so neither a save nor a start
// ever holds the whole file: a save streams the steps of a HistoryImage out
// (one step's bytes at a time), a start reads one record, checks it and
// hands it on. docs/architecture.md "The history file" has the layout.
//
// Every record carries an XXH64 of its type, length and payload, and the
// file ends with a record that counts the others: a file cut short, edited
// or damaged anywhere is refused whole (its steps are all or nothing).
// Steps are stored in their in-memory encoding (step_codec.hpp), keys and
// all; a dictionary of the keys they use, written first, names each key's
// prefix and ASN so the file is read right whatever table the next start
// loads.

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "daemon/store/history_image.hpp"
#include "daemon/store/step_codec.hpp"
#include "daemon/store/store_rows.hpp"

namespace asncounter {

/// DIR/history.state.
std::string history_path(const std::string& state_dir);

/// A key of the file and the (prefix, ASN) it names.
struct HistoryFileKey {
  std::uint32_t key{};
  RowKey name;
};

/// What a read hands on, in file order: saved_at once, the keys (ascending,
/// in chunks), then the steps tier by tier, finest first, each tier's oldest
/// first, each with its entries' keys ascending and every one named by a key
/// chunk (or kUnrouted), and `how` saying its tier. `entries` is the
/// reader's buffer, refilled for the next step: the sink may change it in
/// place (a whole table's step decoded is ~40 MB: no second copy).
class HistoryFileSink {
 public:
  virtual void saved_at(std::int64_t wall_ms) = 0;
  virtual void keys(std::span<const HistoryFileKey> keys) = 0;
  virtual void step(std::chrono::milliseconds age_from, std::chrono::milliseconds age_to,
                    std::vector<StepEntry>& entries, const ImportedStep& how) = 0;

 protected:
  ~HistoryFileSink() = default;
};

struct HistoryFileSummary {
  bool present{};  ///< false: no file (a first start, or no history saved yet)
  std::size_t steps{};
  std::size_t keys{};
  std::size_t bytes{};  ///< the file's size
  std::string damage;   ///< why the file is refused, naming it; empty: sound
};

/// Writes `image` to DIR/history.state atomically (temporary file, fsync,
/// rename). The only memory it takes beyond `image` is one step's record
/// and a bit per key.
Result<HistoryFileSummary> save_history_file(const std::string& state_dir, const HistoryImage& image);

/// Reads `path` record by record, checking each, and hands what it holds to
/// `sink` (null: only checks). A missing file is not an error (present
/// false); one that cannot be opened or read is; a damaged one is reported
/// in `damage`, and then `sink` may have been handed part of it (check
/// first). A file longer than `max_bytes` is refused unread.
Result<HistoryFileSummary> read_history_file(const std::string& path, HistoryFileSink* sink,
                                             std::uint64_t max_bytes);

/// Decodes a step's bytes that come from outside (a file): every varint
/// inside `data`, keys strictly ascending and below 2^32, the entry count
/// exact and every byte used. False: malformed (`out` then holds garbage).
bool decode_step_checked(std::span<const std::uint8_t> data, std::uint32_t entries, std::uint8_t fields,
                         std::uint64_t bytes_per_hit, std::vector<StepEntry>& out);

}  // namespace asncounter
