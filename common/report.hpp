#pragma once
// The report tables, byte for byte as the old Python tool printed them:
// asncounterd --once, asncounterctl report/top/prefixes and their --json
// answers all go through these, so they print the same. See docs/report.md.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/counts.hpp"
#include "common/ip.hpp"
#include "common/json_text.hpp"
#include "common/result.hpp"

namespace asncounter {

class AsNames;

/// One printable row: names resolved, latency as a mean.
struct ReportRow {
  std::optional<std::uint32_t> asn;  ///< empty: unrouted ("None")
  std::optional<Prefix> prefix;      ///< prefix tables only; empty: unrouted
  std::optional<std::string> name;   ///< AS name; empty: unknown or unrouted
  std::uint64_t count{};             ///< hits
  std::uint64_t bytes{};
  std::optional<double> latency_ms;  ///< mean request time; empty: no samples
  friend bool operator==(const ReportRow&, const ReportRow&) = default;
};

/// An ASN table or a prefix table, ready to print.
struct ReportTable {
  bool prefixes = false;  ///< a prefix table (prefix, ASN, AS columns)
  std::uint64_t total{};  ///< hits over every row, not only those shown
  std::uint64_t total_bytes{};
  bool has_bytes = false;       ///< print the bytes column
  bool has_latency = false;     ///< print the latency_ms column
  std::vector<ReportRow> rows;  ///< already sorted and cut to --top
  friend bool operator==(const ReportTable&, const ReportTable&) = default;
};

/// Builds the printable ASN table; `names` may be null (every name unknown).
ReportTable make_asn_report(const AsnTable& t, const AsNames* names);
/// Builds the printable prefix table; `names` may be null.
ReportTable make_prefix_report(const PrefixTable& t, const AsNames* names);
/// One printable row, as those two build each (`names` may be null): a long
/// table can then be printed a slice at a time.
ReportRow make_report_row(const AsnRow& row, const AsNames* names);
ReportRow make_report_row(const PrefixRow& row, const AsNames* names);
/// The printable table's totals and columns, without its rows.
ReportTable report_head(const AsnTable& t);
ReportTable report_head(const PrefixTable& t);

/// `count * 100 / total` with two decimals ("69.33"); "0.00" when total is 0.
std::string format_percent(std::uint64_t count, std::uint64_t total);

/// Appends one table: header line, rows, "total: N".
void append_tsv(std::string& out, const ReportTable& t);
/// The whole one-shot report: the ASN table, then the prefix table.
std::string format_report(const ReportTable& asns, const ReportTable& prefixes);

/// The `top --json` / `prefixes --json` shape (compact JSON text; see report_json.cpp).
std::string to_json(const ReportTable& t);
/// to_json in pieces, for tables written as they are made: `head` ends where
/// the rows start and `tail` begins where they end; each row (of `t`'s
/// columns, its percent of `t`'s total) goes between them, joined by ','.
JsonAround to_json_around_rows(const ReportTable& t);
void append_json_row(std::string& out, const ReportTable& t, const ReportRow& row);
/// Reads that shape back; `prefixes` says which table is expected. Never throws.
Result<ReportTable> report_from_json(std::string_view json_text, bool prefixes);

}  // namespace asncounter
