#pragma once
// What every table source yields: prefix -> origin ASN routes, plus where
// they came from.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/ip.hpp"

namespace asncounter {

/// One routed prefix and its origin AS.
struct Route {
  Prefix prefix;
  std::uint32_t asn{};
};

/// The formats a table is read from; each is a row of table_formats()
/// (common/table/table_file.hpp), which also gives its name.
enum class TableFormat : std::uint8_t {
  none,  ///< built from no file (an empty table, tests): shown as "empty"
  mrt,
  ipasn,
  count_,  ///< not a format: the number of ids, checked against the rows
};

/// A format's name as `stats` and the converter show it ("mrt", "ipasn",
/// "empty"); defined with the registry in table_file.cpp.
std::string_view table_format_name(TableFormat format) noexcept;

/// Where a table came from, shown by `stats`.
struct TableInfo {
  std::string source;        ///< file path or URL
  std::int64_t dump_time{};  ///< Unix seconds of the dump, 0 when unknown
  TableFormat format{};      ///< its name: table_format_name()
  std::int64_t loaded_at{};  ///< Unix seconds the table was built (set by LpmTable::build)
};

/// Routes in source order plus what the reader noticed on the way.
struct RouteSet {
  std::vector<Route> routes;  ///< may repeat a prefix: the first one wins
  TableInfo info;
  std::uint64_t records{};          ///< records or lines read
  std::uint64_t skipped_records{};  ///< unknown MRT types, comment lines, ...
  std::uint64_t dropped_routes{};   ///< no usable origin, default routes, ...
};

}  // namespace asncounter
