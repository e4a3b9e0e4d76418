#pragma once
// Any table source (MRT dump or pyasn ipasn file, plain, gzip or bzip2) into
// routes or a ready LPM table. The format is told from the first decompressed
// bytes, never from the file name.

#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "common/result.hpp"
#include "common/table/lpm_table.hpp"
#include "common/table/route.hpp"

namespace asncounter {

enum class TableFormat : std::uint8_t { mrt, ipasn };

/// The format the first decompressed bytes of a table announce (needs at
/// least 12 bytes to recognise MRT), or nullopt for neither.
std::optional<TableFormat> detect_table_format(std::span<const unsigned char> head) noexcept;

/// Reads every route of a table file; errors name the file. Setting `*stop`
/// makes the read give up (error "stopped").
Result<RouteSet> read_table_file(const std::string& path, const std::atomic<bool>* stop = nullptr);

/// Reads a table file and builds its lookup table (source, format and dump
/// time filled in).
Result<std::shared_ptr<const LpmTable>> load_table(const std::string& path,
                                                   const std::atomic<bool>* stop = nullptr);

}  // namespace asncounter
