#pragma once
// Any table source (MRT dump or pyasn ipasn file, plain, gzip or bzip2) into
// routes or a ready LPM table. The format is told from the first decompressed
// bytes, never from the file name, by the rows of one registry.

#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "common/table/byte_stream.hpp"
#include "common/table/lpm_table.hpp"
#include "common/table/route.hpp"
#include "common/table/table_limits.hpp"

namespace asncounter {

/// One table format, a row of table_formats(). The shape every decoder
/// registry follows: an id, a name, a positive check of the first bytes and
/// a reader bound at compile time (plain function pointers, no virtual call).
struct TableFormatRow {
  TableFormat format;     ///< the id TableInfo carries
  std::string_view name;  ///< as `stats`, errors and the converter's header show it
  /// Whether the first decompressed bytes (up to kTablePeek; fewer for a
  /// short file) are surely this format. Must never accept another's bytes.
  bool (*detect)(std::span<const unsigned char> head) noexcept;
  /// Reads every route; errors name `name`.
  Result<RouteSet> (*read)(ByteStream& in, const std::string& name, std::uint64_t max_prefixes);
  /// Reads the whole stream (the peeked head again first) checking only
  /// that it is whole, faster than reading it (--check-config, a reload's
  /// check): "" or why not. read_to_end() for a format with no structure.
  std::string (*verify)(ByteStream& in);
};

/// Bytes peeked at for detection: enough for a long comment header.
inline constexpr std::size_t kTablePeek = 4096;

/// Every table format, in detection order (the first row that accepts wins).
std::span<const TableFormatRow> table_formats();

/// The format the first decompressed bytes of a table announce, or nullopt
/// for none of them.
std::optional<TableFormat> detect_table_format(std::span<const unsigned char> head) noexcept;

/// Whether a table file would load, without building it: a known format,
/// whole to its end (a bzip2 file by its end mark alone). "" or why not,
/// naming the file.
std::string verify_table_file(const std::string& path, const TableLimits& limits = {});

/// Reads every route of a table file; errors name the file. Setting `*stop`
/// makes the read give up (error "stopped"); a file beyond `limits` is
/// refused, after bounded time and memory.
Result<RouteSet> read_table_file(const std::string& path, const std::atomic<bool>* stop = nullptr,
                                 const TableLimits& limits = {});

/// Reads a table file and builds its lookup table (source, format and dump
/// time filled in).
Result<std::shared_ptr<const LpmTable>> load_table(const std::string& path,
                                                   const std::atomic<bool>* stop = nullptr,
                                                   const TableLimits& limits = {});

}  // namespace asncounter
