#pragma once
// The table cache: a built LPM table written to the cache directory as the
// arrays lookups read, so that the next start maps the file (a few
// milliseconds) instead of parsing and building the dump again (seconds).
//
// A cache file is never the source of truth: it holds the name, size,
// modification and change times and inode of the dump it was made from, and
// is used only while the dump still has them (a copy that keeps the size and
// mtime, `cp -p`, still changes the ctime). It is never trusted beyond its checksum and its
// checks: every offset, length and index in it is checked before use, and a
// file that fails is ignored (with one log line) and rebuilt.
// The layout is in table_cache.cpp; docs/operations.md "Table cache".

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "common/table/lpm_table.hpp"
#include "common/table/table_limits.hpp"

namespace asncounter {

/// Which dump a table was made from: a cache holds the stamp of its source.
struct SourceStamp {
  std::string name;         ///< absolute path
  std::uint64_t size{};     ///< bytes
  std::int64_t mtime_ns{};  ///< modification time, nanoseconds since the epoch
  std::uint64_t inode{};    ///< a file renamed over the source has another
  std::int64_t ctime_ns{};  ///< change time: `cp -p` keeps size and mtime, but not this
  friend bool operator==(const SourceStamp&, const SourceStamp&) = default;
};

/// The stamp of a source file as it is now.
Result<SourceStamp> stamp_source(const std::string& path);

/// The cache file's name (no directory) for a source: its base name, a hash
/// of its full name, ".table-cache".
std::string table_cache_name(const SourceStamp& source);

/// The cache file of `table`, made from `source`, as bytes (tests and the
/// fuzz corpus; the daemon writes with write_table_cache).
std::vector<unsigned char> table_cache_bytes(const LpmTable& table, const SourceStamp& source);

/// Writes the cache of `table` into the directory `dir`: a fresh temporary
/// file (never through a link), then renamed over table_cache_name(source).
/// Older caches beyond the newest few are removed.
Result<void> write_table_cache(const std::string& dir, const SourceStamp& source, const LpmTable& table);

/// Maps the cache of `source` in `dir` and checks it. The table's info gets
/// `source.name` as its source. An error says why the cache is not used.
Result<std::shared_ptr<const LpmTable>> read_table_cache(const std::string& dir, const SourceStamp& source,
                                                         const TableLimits& limits = {});

/// Checks the bytes of a cache file and makes a table that views them;
/// `owner` keeps them alive. `bytes` must start at a 64-byte boundary (a
/// mapping does). With `expect`, the cache must have been made from it.
Result<std::shared_ptr<const LpmTable>> table_from_cache_bytes(std::span<const unsigned char> bytes,
                                                               std::shared_ptr<const void> owner,
                                                               const SourceStamp* expect,
                                                               const TableLimits& limits = {});

/// The offset and value of a cache's checksum field, and the XXH64 it must
/// hold for `bytes` (for the fuzz target, which repairs it to get past it).
inline constexpr std::size_t kTableCacheChecksumOffset = 8;
std::uint64_t table_cache_checksum(std::span<const unsigned char> bytes) noexcept;

/// The same table (shared, not copied) under another source name: a URL
/// rather than the file it was downloaded to.
std::shared_ptr<const LpmTable> with_source(std::shared_ptr<const LpmTable> table, std::string source);

/// A table loaded through the cache.
struct CachedTable {
  std::shared_ptr<const LpmTable> table;
  bool from_cache{};  ///< mapped from the cache, not parsed
  std::string note;   ///< why a cache was ignored or not written (one log line); empty when all went well
};

/// load_table (common/table/table_file.hpp) through the cache in
/// `cache_dir`: maps a cache made from `path` as it is now, or parses `path`
/// and writes its cache (best effort: a directory that is not writable only
/// costs the next start its speed; `write` false: only read it, as a
/// client reading the daemon's cache does). An empty or missing
/// `cache_dir`: plain load_table.
Result<CachedTable> load_table_cached(const std::string& path, const std::string& cache_dir,
                                      const std::atomic<bool>* stop = nullptr, const TableLimits& limits = {},
                                      bool write = true);

}  // namespace asncounter
