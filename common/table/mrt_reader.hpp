#pragma once
// RFC 6396 MRT routing table dumps (TABLE_DUMP, TABLE_DUMP_V2 and the
// RFC 8050 ADD-PATH subtypes) read into prefix -> origin routes by pyasn's
// rules (docs/tables.md), streamed record by record.

#include <cstdint>
#include <span>
#include <string>

#include "common/result.hpp"
#include "common/table/byte_stream.hpp"
#include "common/table/route.hpp"
#include "common/table/table_limits.hpp"

namespace asncounter {

/// MRT record types and subtypes this reader knows (the test writer uses them too).
namespace mrt {
inline constexpr std::uint16_t kTableDump = 12;
inline constexpr std::uint16_t kTableDumpV2 = 13;
inline constexpr std::uint16_t kAfiIpv4 = 1;  ///< TABLE_DUMP subtypes
inline constexpr std::uint16_t kAfiIpv6 = 2;
inline constexpr std::uint16_t kPeerIndexTable = 1;  ///< TABLE_DUMP_V2 subtypes
inline constexpr std::uint16_t kRibIpv4Unicast = 2;
inline constexpr std::uint16_t kRibIpv6Unicast = 4;
inline constexpr std::uint16_t kRibIpv4UnicastAddPath = 8;
inline constexpr std::uint16_t kRibIpv6UnicastAddPath = 10;
/// Records longer than this are taken for a corrupt length field.
inline constexpr std::uint32_t kMaxRecordSize = 16U << 20;
}  // namespace mrt

/// Whether the first bytes of a stream are an MRT record header (12 bytes at
/// least) of a known type: the table-format registry's check.
bool is_mrt_head(std::span<const unsigned char> head) noexcept;

/// Reads every route of an MRT stream. Each prefix appears once (the first
/// record with a usable origin wins); default routes are dropped; unknown
/// record types are skipped and counted. A truncated or corrupt dump is an
/// error naming `name` and the byte offset, and so is a dump of more than
/// `max_prefixes` distinct prefixes.
/// Follows an MRT dump's record headers to its end without decoding them:
/// "" when the last record is whole, else where it was cut.
std::string verify_mrt(ByteStream& in);

Result<RouteSet> read_mrt(ByteStream& in, const std::string& name,
                          std::uint64_t max_prefixes = TableLimits{}.max_prefixes);

/// The same over bytes already in memory (fuzzing, small fixtures).
Result<RouteSet> read_mrt(std::span<const unsigned char> data, const std::string& name);

/// Opens and reads an MRT file (compression detected from its content).
Result<RouteSet> read_mrt_file(const std::string& path);

}  // namespace asncounter
