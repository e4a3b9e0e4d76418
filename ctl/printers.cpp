#include "ctl/printers.hpp"

#include <algorithm>
#include <cstdint>
#include <ctime>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <sstream>
#include <vector>

#include "common/ip.hpp"
#include "common/json_text.hpp"
#include "common/parse_number.hpp"
#include "common/report.hpp"
#include "ctl/blocklist.hpp"
#include "ctl/decisions_text.hpp"
#include "ctl/exit_codes.hpp"
#include "ctl/series_text.hpp"
#include "ctl/stats_text.hpp"

namespace asncounter::ctl {
namespace {

using nlohmann::json;

// Where a printer writes: the answer, and what went wrong.
struct Streams {
  std::ostream& out;
  std::ostream& err;
};

// The seconds a windowed answer covers; nullopt since start.
std::optional<double> window_seconds(const json& doc) {
  const json* w = doc.is_object() && doc.contains("window") ? &doc["window"] : nullptr;
  if (!w || !w->is_object() || !w->value("from", json()).is_number() || !w->value("to", json()).is_number())
    return std::nullopt;
  return std::max(w->value("to", 0.0) - w->value("from", 0.0), 0.001);
}

// ISO 8601, as the JSON answers' times are read back.
std::string wall_text(double unix_seconds) {
  return date_text(static_cast<std::int64_t>(unix_seconds), "%Y-%m-%dT%H:%M:%SZ");
}

// "window: 300 s asked, 120.0 s held from ... to ..." under a windowed table.
std::string window_line(const json& w) {
  std::ostringstream line;
  line.setf(std::ios::fixed);
  line.precision(1);
  const double from = w.value("from", 0.0);
  const double to = w.value("to", 0.0);
  line << "window: " << w.value("seconds", 0) << " s asked, " << (to - from) << " s from " << wall_text(from)
       << " to " << wall_text(to);
  if (w.value("resolution", 0) > 0) line << ", in steps of " << w.value("resolution", 0) << " s";
  if (w.value("clipped", false)) line << " (clipped: the history holds less)";
  if (const json e = w.value("prefix_error", json()); e.is_object())
    line << "\n  prefixes may each be short by up to " << e.value("hits", 0) << " hits, "
         << e.value("bytes", 0)
         << " bytes (coarse steps keep their heaviest prefixes; ASNs and totals are exact)";
  return line.str() + "\n";
}

std::string rate_text(double count, double seconds) {
  std::ostringstream r;
  r.setf(std::ios::fixed);
  r.precision(2);
  r << count / seconds;
  return r.str();
}

// The table's TSV with a rate/s column after each row when it covers a window.
std::string with_rates(const std::string& tsv, std::optional<double> seconds) {
  if (!seconds) return tsv;
  std::string out;
  std::istringstream lines(tsv);
  bool header = true;
  for (std::string line; std::getline(lines, line);) {
    if (header) {
      line += "\trate/s";
      header = false;
    } else if (!line.starts_with("total: ")) {
      auto count = parse_unsigned<std::uint64_t>(line.substr(0, line.find('\t')));
      line += "\t" + rate_text(static_cast<double>(count.value_or(0)), *seconds);
    }
    out += line + "\n";
  }
  return out;
}

int print_table(Streams& c, const std::string& result, bool prefixes) {
  auto table = report_from_json(result, prefixes);
  if (!table) {
    c.err << "asncounterctl: " << table.error() << "\n";
    return kExitDaemonError;
  }
  std::string text;
  append_tsv(text, *table);
  json doc = json::parse(result, nullptr, false);
  c.out << with_rates(text, window_seconds(doc));
  if (window_seconds(doc)) c.out << window_line(doc["window"]);
  return kExitOk;
}

// Inputs that count different things (lines, packets, flow packets) summed
// in one table: said on stderr, so that the table stays the table.
void say_mixed_units(Streams& c, const std::string& result) {
  json doc = json::parse(result, nullptr, false);
  if (!doc.is_object() || !doc.contains("mixed_units") || !doc["mixed_units"].is_array()) return;
  std::string parts;
  for (const auto& u : doc["mixed_units"]) {
    if (!u.is_object() || !u.contains("input") || !u.contains("unit")) continue;
    parts += (parts.empty() ? "" : ", ") + u["input"].get<std::string>() + " counts " +
             u["unit"].get<std::string>();
  }
  if (!parts.empty())
    c.err << "asncounterctl: these counts add up different units (" << parts
          << "); --input NAME shows one input's\n";
}

int print_top(Streams& c, const std::string& result) {
  say_mixed_units(c, result);
  return print_table(c, result, false);
}
int print_prefixes(Streams& c, const std::string& result) { return print_table(c, result, true); }

int print_report(Streams& c, const std::string& result) {
  json doc = json::parse(result, nullptr, false);
  if (!doc.is_object() || !doc.contains("asns") || !doc.contains("prefixes")) {
    c.err << "asncounterctl: malformed report answer\n";
    return kExitDaemonError;
  }
  auto asns = report_from_json(doc["asns"].dump(), false);
  auto prefixes = report_from_json(doc["prefixes"].dump(), true);
  if (!asns || !prefixes) {
    c.err << "asncounterctl: " << (asns ? prefixes.error() : asns.error()) << "\n";
    return kExitDaemonError;
  }
  auto seconds = window_seconds(doc);
  std::string text;
  append_tsv(text, *asns);
  std::string rest;
  append_tsv(rest, *prefixes);
  c.out << with_rates(text, seconds) << with_rates(rest, seconds);
  if (seconds) c.out << window_line(doc["window"]);
  return kExitOk;
}

std::string text_or_none(const json& v);

// One ASN: its counts, share, rank, and its counted prefixes with adjacent ones merged.
int print_asn(Streams& c, const std::string& result) {
  json doc = json::parse(result, nullptr, false);
  if (!doc.is_object()) return c.err << "asncounterctl: malformed asn answer\n", kExitDaemonError;
  auto seconds = window_seconds(doc);
  c.out << "asn: " << text_or_none(doc.value("asn", json())) << "\n";
  c.out << "name: " << text_or_none(doc.value("name", json())) << "\n";
  c.out << "count: " << doc.value("count", std::uint64_t{0}) << "\n";
  c.out << "bytes: " << doc.value("bytes", std::uint64_t{0}) << "\n";
  c.out << "share: " << text_or_none(doc.value("percent", json())) << "%\n";
  c.out << "rank: " << text_or_none(doc.value("rank", json())) << "\n";
  if (seconds)
    c.out << "rate/s: " << rate_text(static_cast<double>(doc.value("count", std::uint64_t{0})), *seconds)
          << "\n"
          << window_line(doc["window"]);
  // Counted prefixes, merged; each merged block with the hits of what it covers.
  std::vector<std::pair<Prefix, std::uint64_t>> counted;
  for (const auto& row : doc.value("prefixes", json::array())) {
    auto p = row.value("prefix", json()).is_string() ? parse_prefix(row["prefix"].get<std::string>())
                                                     : std::nullopt;
    if (p) counted.emplace_back(*p, row.value("count", std::uint64_t{0}));
  }
  std::vector<Prefix> plain;
  for (const auto& [p, n] : counted) plain.push_back(p);
  // Blocks in the daemon's order of their first member (busiest first, or
  // by address with --sort prefix): the two busiest are not buried.
  struct Block {
    Prefix prefix;
    std::uint64_t count = 0;
    std::size_t first = SIZE_MAX;
  };
  std::vector<Block> blocks;
  for (const Prefix& merged : merge_prefixes(std::move(plain))) {
    Block b{merged};
    for (std::size_t i = 0; i < counted.size(); ++i)
      if (contains(merged, counted[i].first.addr))
        b.count += counted[i].second, b.first = std::min(b.first, i);
    blocks.push_back(b);
  }
  std::stable_sort(blocks.begin(), blocks.end(),
                   [](const Block& a, const Block& b) { return a.first < b.first; });
  c.out << "prefixes:\tcount\n";
  for (const Block& b : blocks) c.out << to_string(b.prefix) << '\t' << b.count << "\n";
  return kExitOk;
}

// Strings in answers can come from outside (AS names): control characters escaped.
std::string text_or_none(const json& v) { return json_cell(v, "None"); }

int print_as_prefixes(Streams& c, const std::string& result) {
  json doc = json::parse(result, nullptr, false);
  for (const auto& p : doc.value("prefixes", json::array())) c.out << text_or_none(p) << "\n";
  return kExitOk;
}

// What changed but waits for a restart is named, one key a line.
int print_reload(Streams& c, const std::string& result) {
  c.out << "configuration reloaded\n";
  json doc = json::parse(result, nullptr, false);
  const json keys = doc.is_object() ? doc.value("needs_restart", json::array()) : json::array();
  for (const auto& key : keys) c.out << text_or_none(key) << ": needs a restart (the old value stays)\n";
  return kExitOk;
}

// What a reset zeroed: everything, or (keep=history) the since-start counts.
int print_reset(Streams& c, const std::string& result) {
  json doc = json::parse(result, nullptr, false);
  const bool kept = doc.is_object() && doc.value("history_kept", false);
  c.out << (kept ? "since-start counts reset, the windows kept" : "counts reset")
        << " (per-input counters are kept: they count since the daemon started)\n";
  return kExitOk;
}

// "ASN<TAB>name" per match; on stderr when there is none, or no names at all.
int print_whois(Streams& c, const std::string& result) {
  json doc = json::parse(result, nullptr, false);
  if (!doc.is_object()) return c.err << "asncounterctl: malformed whois answer\n", kExitDaemonError;
  const json rows = doc.value("asns", json::array());
  for (const auto& row : rows)
    c.out << text_or_none(row.value("asn", json())) << '\t' << text_or_none(row.value("name", json()))
          << "\n";
  if (doc.value("names", 0) == 0)
    c.err << "asncounterctl: the daemon has no AS names loaded (asnames, or a download's)\n";
  else if (rows.empty())
    c.err << "asncounterctl: no AS name contains " << text_or_none(doc.value("text", json())) << "\n";
  return kExitOk;
}

// Ages are the client's view: its clock against the daemon's Unix times.
int print_stats(Streams& c, const std::string& result) {
  c.out << stats_text(result, static_cast<std::int64_t>(std::time(nullptr)));
  return kExitOk;
}

int print_decisions(Streams& c, const std::string& result) {
  c.out << decisions_text(result);
  return kExitOk;
}

int print_decision(Streams& c, const std::string& result) {
  c.out << decision_text(result);
  return kExitOk;
}

int print_series(Streams& c, const std::string& result) {
  auto text = series_text(result);
  if (!text) return c.err << "asncounterctl: malformed series answer\n", kExitDaemonError;
  c.out << *text;
  return kExitOk;
}

// How an answer is printed without --json, for the methods whose answer is
// not best read flattened into "key: value" lines (the default).
struct Printer {
  rpc::MethodId method;
  int (*print)(Streams&, const std::string& result);  // or null: print `done`
  std::string_view done;                              // the line printed on success
};

// One row per line, as a table reads (clang-format would pack them).
// clang-format off
constexpr Printer kPrinters[] = {
    {rpc::MethodId::top, print_top, {}},
    {rpc::MethodId::prefixes, print_prefixes, {}},
    {rpc::MethodId::report, print_report, {}},
    {rpc::MethodId::as_prefixes, print_as_prefixes, {}},
    {rpc::MethodId::reset, print_reset, {}},
    {rpc::MethodId::refresh, nullptr, "refresh queued"},
    {rpc::MethodId::reload, print_reload, {}},
    {rpc::MethodId::asn, print_asn, {}},
    {rpc::MethodId::stats, print_stats, {}},
    {rpc::MethodId::decisions, print_decisions, {}},
    {rpc::MethodId::ban, print_decision, {}},
    {rpc::MethodId::unban, print_decision, {}},
    {rpc::MethodId::series, print_series, {}},
    {rpc::MethodId::whois, print_whois, {}},
};
// clang-format on

}  // namespace

int print_answer(rpc::MethodId method, const std::string& result, bool as_json, std::ostream& out,
                 std::ostream& err) {
  Streams c{out, err};
  if (as_json) return c.out << result << "\n", kExitOk;
  for (const auto& p : kPrinters) {
    if (p.method != method) continue;
    if (p.print) return p.print(c, result);
    c.out << p.done << "\n";
    return kExitOk;
  }
  flatten(c.out, "", json::parse(result, nullptr, false), "", text_or_none);
  return kExitOk;
}

}  // namespace asncounter::ctl
