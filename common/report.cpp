#include "common/report.hpp"

#include <cstdio>

#include "common/table/as_names.hpp"
#include "common/text_escape.hpp"

namespace asncounter {

namespace {

std::optional<std::string> name_of(const AsNames* names, std::optional<std::uint32_t> asn) {
  if (!names || !asn) return std::nullopt;
  auto n = names->name(*asn);
  if (!n) return std::nullopt;
  return std::string(*n);
}

std::optional<double> mean_ms(const Counts& c) {
  if (c.latency_samples == 0) return std::nullopt;
  return static_cast<double>(c.latency_us_sum) / static_cast<double>(c.latency_samples) / 1000.0;
}

template <class Table>
ReportTable head(const Table& t, bool prefixes) {
  ReportTable r;
  r.prefixes = prefixes;
  r.total = t.total.hits;
  r.total_bytes = t.total.bytes;
  r.has_bytes = t.has_bytes;
  r.has_latency = t.has_latency;
  return r;
}

void append_uint(std::string& out, std::uint64_t v) {
  char buf[24];
  int n = std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(v));
  out.append(buf, static_cast<std::size_t>(n));
}

// Extra columns go after the old tool's, so scripts that cut fields by
// position keep working.
void append_extra(std::string& out, const ReportTable& t, const ReportRow& r) {
  if (t.has_bytes) {
    out += '\t';
    append_uint(out, r.bytes);
  }
  if (t.has_latency) {
    out += '\t';
    if (r.latency_ms) {
      char buf[32];
      int n = std::snprintf(buf, sizeof buf, "%.3f", *r.latency_ms);
      out.append(buf, static_cast<std::size_t>(n));
    } else {
      out += '-';
    }
  }
}

// Names come from outside (an AS names file anyone can register a name in):
// escaped, so that none drives the terminal or fakes a row.
void append_name(std::string& out, const std::optional<std::string>& name) {
  if (name)
    append_escaped(out, *name);
  else
    out += "None";  // what the old tool printed when pyasn had no name
}

}  // namespace

ReportRow make_report_row(const AsnRow& row, const AsNames* names) {
  return ReportRow{row.asn,         std::nullopt,     name_of(names, row.asn),
                   row.counts.hits, row.counts.bytes, mean_ms(row.counts)};
}

ReportRow make_report_row(const PrefixRow& row, const AsNames* names) {
  // A prefix row is routed only with both a prefix and an origin.
  bool routed = row.prefix && row.asn;
  return ReportRow{routed ? row.asn : std::nullopt,
                   routed ? row.prefix : std::nullopt,
                   routed ? name_of(names, row.asn) : std::nullopt,
                   row.counts.hits,
                   row.counts.bytes,
                   mean_ms(row.counts)};
}

ReportTable report_head(const AsnTable& t) { return head(t, false); }
ReportTable report_head(const PrefixTable& t) { return head(t, true); }

ReportTable make_asn_report(const AsnTable& t, const AsNames* names) {
  ReportTable r = head(t, false);
  r.rows.reserve(t.rows.size());
  for (const auto& row : t.rows) r.rows.push_back(make_report_row(row, names));
  return r;
}

ReportTable make_prefix_report(const PrefixTable& t, const AsNames* names) {
  ReportTable r = head(t, true);
  r.rows.reserve(t.rows.size());
  for (const auto& row : t.rows) r.rows.push_back(make_report_row(row, names));
  return r;
}

std::string format_percent(std::uint64_t count, std::uint64_t total) {
  // count / total * 100 in that order, as the Python tool computed it, so
  // both round the same double.
  double p = total ? static_cast<double>(count) / static_cast<double>(total) * 100.0 : 0.0;
  char buf[48];
  int n = std::snprintf(buf, sizeof buf, "%.2f", p);
  return std::string(buf, static_cast<std::size_t>(n));
}

void append_tsv(std::string& out, const ReportTable& t) {
  out += t.prefixes ? "count\tpercent\tprefix\tASN\tAS" : "count\tpercent\tASN\tAS";
  if (t.has_bytes) out += "\tbytes";
  if (t.has_latency) out += "\tlatency_ms";
  out += '\n';
  for (const ReportRow& r : t.rows) {
    append_uint(out, r.count);
    out += '\t';
    out += format_percent(r.count, t.total);
    out += '\t';
    if (t.prefixes) {
      if (!r.prefix || !r.asn) {
        out += "None\t\t";  // unrouted: no ASN, no name
      } else {
        append_to(out, *r.prefix);
        out += '\t';
        append_uint(out, *r.asn);
        out += '\t';
        append_name(out, r.name);
      }
    } else if (!r.asn) {
      out += "None\tNone";
    } else {
      append_uint(out, *r.asn);
      out += '\t';
      append_name(out, r.name);
    }
    append_extra(out, t, r);
    out += '\n';
  }
  out += "total: ";
  append_uint(out, t.total);
  out += '\n';
}

std::string format_report(const ReportTable& asns, const ReportTable& prefixes) {
  std::string out;
  append_tsv(out, asns);
  append_tsv(out, prefixes);
  return out;
}

}  // namespace asncounter
