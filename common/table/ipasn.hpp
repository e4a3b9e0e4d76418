#pragma once
// pyasn's ipasn text format: comment lines start with ';', then one
// "prefix/len<TAB>asn" per line. Read plain or gzip (.dat, .dat.gz).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "common/table/byte_stream.hpp"
#include "common/table/route.hpp"
#include "common/table/table_limits.hpp"

namespace asncounter {

/// Whether the first bytes of a stream are surely ipasn text: every whole
/// line blank, a comment or a route the reader takes, and a cut-off last line
/// a comment or made of route characters. The table-format registry's check:
/// other text (CSV, /etc/passwd, a future format) is refused, not misread.
bool is_ipasn_head(std::span<const unsigned char> head) noexcept;

/// Reads every route of an ipasn stream (a prefix given again is skipped:
/// the first line wins); a malformed line, or more than `max_prefixes`
/// distinct prefixes, is an error that names `name` and the line number.
Result<RouteSet> read_ipasn(ByteStream& in, const std::string& name,
                            std::uint64_t max_prefixes = TableLimits{}.max_prefixes);

/// Opens and reads an ipasn file (compression detected from its content).
Result<RouteSet> read_ipasn_file(const std::string& path);

/// Writes routes as an ipasn file (gzip when `path` ends in ".gz"), with
/// `comment` lines first; returns the number of routes written.
Result<std::size_t> write_ipasn(const std::string& path, const std::vector<Route>& routes,
                                const std::vector<std::string>& comment);

/// A time as the header lines write it: "2014-05-13 06:00:00 UTC".
std::string format_utc(std::int64_t unix_time);

/// The comment line that records a table's dump time, which read_ipasn takes
/// back (pyasn's own header leaves it to the dump's file name).
std::string dump_time_comment(std::int64_t unix_time);

}  // namespace asncounter
