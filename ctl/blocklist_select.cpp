#include "ctl/blocklist_select.hpp"

#include <algorithm>
#include <ctime>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>
#include <sstream>

#include "common/parse_number.hpp"
#include "common/report.hpp"
#include "common/trim.hpp"
#include "ctl/exit_codes.hpp"

namespace asncounter::ctl {
namespace {

using nlohmann::json;

std::optional<std::uint32_t> parse_asn_word(std::string_view w) {
  if (w.size() > 2 && (w.starts_with("AS") || w.starts_with("as"))) w.remove_prefix(2);
  return parse_unsigned<std::uint32_t>(w);
}

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The selection in the words of the command line, for the header comment.
std::string criteria_text(const BlockOptions& o) {
  std::string out;
  if (o.asns.empty()) {
    out = std::string("--by ") + (o.by_asn ? "asn" : "prefix") + " --limit " + std::to_string(o.limit);
  } else {
    out = "--asn ";
    for (std::size_t i = 0; i < o.asns.size(); ++i) out += (i ? "," : "") + std::to_string(o.asns[i]);
  }
  if (o.window) out += " --window " + std::to_string(*o.window) + "s";
  if (!o.input.empty()) out += " --input " + o.input;
  if (o.min_count) out += " --min-count " + std::to_string(o.min_count);
  if (o.family) out += " --family " + std::to_string(static_cast<unsigned>(*o.family));
  if (!o.exclude_file.empty()) out += " --exclude " + o.exclude_file;
  if (block_format(o.format).takes_rules) {
    if (o.rules.forward) out += o.rules.input ? " --hook input,forward" : " --hook forward";
    if (o.rules.timeout) out += " --timeout " + std::to_string(o.rules.timeout) + "s";
  }
  return out;
}

}  // namespace

Result<BlockExclusions> parse_exclusions(std::string_view text) {
  BlockExclusions ex;
  std::size_t number = 0;
  while (!text.empty()) {
    ++number;
    std::string_view line = text.substr(0, text.find('\n'));
    text.remove_prefix(std::min(text.size(), line.size() + 1));
    line = text::trim(line.substr(0, line.find('#')));
    if (line.empty()) continue;
    if (auto asn = parse_asn_word(line)) {
      ex.asns.push_back(*asn);
    } else if (auto prefix = parse_prefix(line, true)) {
      ex.prefixes.push_back(*prefix);
    } else if (auto addr = parse_address(line)) {
      ex.prefixes.push_back(Prefix{*addr, static_cast<std::uint8_t>(family_bits(addr->family))});
    } else {
      return Error{"line " + std::to_string(number) + ": not a prefix, address or ASN: " + std::string(line)};
    }
  }
  return ex;
}

int select_blocked(const BlockFetch& fetch, const BlockOptions& o, const BlockExclusions& ex,
                   BlockSelection& out, std::ostream& err) {
  // Rows that are skipped do not count against the limit: ask for a little
  // more than the limit, and for twice as much until enough rows are kept or
  // the daemon has no more.
  std::uint64_t ask = o.limit == 0 ? 0 : o.limit + 1 + ex.asns.size();
  // Each ASN's carved space, asked once: a row's prefix (or an ASN's
  // prefixes) minus what other ASNs announce inside it.
  std::map<std::uint32_t, std::vector<Prefix>> of_asn;
  for (;;) {
    rpc::Params p;
    p.set(rpc::ParamId::limit, ask);
    if (o.window) p.set(rpc::ParamId::window, *o.window);
    if (!o.input.empty()) p.set_text(rpc::ParamId::input, o.input);
    if (!o.sort.empty()) p.set_text(rpc::ParamId::sort, o.sort);
    std::string result;
    if (int rc = fetch(o.by_asn ? rpc::MethodId::top : rpc::MethodId::prefixes, p, result)) return rc;
    auto table = report_from_json(result, !o.by_asn);
    if (!table) return err << "asncounterctl: " << table.error() << "\n", kExitDaemonError;
    std::vector<Prefix> kept;
    std::set<std::uint32_t> asns;
    std::vector<AsnShare> shares;
    std::uint64_t rows_kept = 0;
    bool enough = false;
    for (const auto& row : table->rows) {
      // Rows come by count, descending: the rest are quieter still (by
      // bytes, a row under the count may be followed by one above it).
      if (row.count < o.min_count) {
        if (o.sort == "bytes") continue;
        enough = true;
        break;
      }
      // The unrouted row ("None") cannot be blocked.
      if (!row.asn || std::find(ex.asns.begin(), ex.asns.end(), *row.asn) != ex.asns.end()) continue;
      if (!of_asn.contains(*row.asn)) {
        if (int rc = carved_space(fetch, *row.asn, of_asn[*row.asn])) return rc;
      }
      std::vector<Prefix> candidates;
      if (o.by_asn)
        candidates = of_asn[*row.asn];
      else if (row.prefix)
        candidates = intersect_prefix(*row.prefix, of_asn[*row.asn]);
      std::erase_if(candidates, [&](const Prefix& c) { return o.family && c.addr.family != *o.family; });
      auto left = subtract_prefixes(std::move(candidates), ex.prefixes);
      if (left.empty()) continue;
      kept.insert(kept.end(), left.begin(), left.end());
      // Shares in the order of the ranking; a prefix row adds to its ASN's.
      if (asns.insert(*row.asn).second) shares.push_back(AsnShare{*row.asn, row.name.value_or(""), 0});
      for (auto& share : shares)
        if (share.asn == *row.asn) share.count += row.count;
      if (o.limit != 0 && ++rows_kept == o.limit) {
        enough = true;
        break;
      }
    }
    // A shorter answer than asked (or all asked): the daemon has no more rows.
    if (enough || ask == 0 || table->rows.size() < ask) {
      out.prefixes = merge_prefixes(std::move(kept));
      out.asns.assign(asns.begin(), asns.end());
      out.shares = std::move(shares);
      out.total = table->total;
      return kExitOk;
    }
    ask *= 2;
  }
}

int run_block_list(const BlockFetch& fetch, const BlockOptions& o, std::ostream& out, std::ostream& err) {
  BlockExclusions ex;
  if (!o.exclude_file.empty()) {
    std::ifstream file(o.exclude_file);
    std::stringstream text;
    if (file.is_open()) text << file.rdbuf();
    if (!file.is_open() || file.bad()) {
      err << "asncounterctl: --exclude " << o.exclude_file << ": cannot read the file\n";
      return kExitUsage;
    }
    auto parsed = parse_exclusions(text.str());
    if (!parsed) {
      err << "asncounterctl: --exclude " << o.exclude_file << ": " << parsed.error() << "\n";
      return kExitUsage;
    }
    ex = std::move(*parsed);
  }
  BlockSelection s;
  if (int rc = o.asns.empty() ? select_blocked(fetch, o, ex, s, err) : select_asns(fetch, o, ex, s, err))
    return rc;
  const std::string criteria = criteria_text(o);
  // Still printed: loading an empty list empties the live one.
  if (s.prefixes.empty()) err << "asncounterctl: block-list: no prefix to block (" << criteria << ")\n";
  if (o.json) {
    // The summary goes into the JSON: stdout stays one object for machines.
    json list = json::array();
    for (const auto& p : s.prefixes) list.push_back(to_string(p));
    json shares = json::array();
    for (const auto& a : s.shares) shares.push_back({{"asn", a.asn}, {"count", a.count}});
    out << json{{"prefixes", list},
                {"asns", s.asns},
                {"criteria", criteria},
                {"shares", shares},
                {"total", s.total}}
               .dump()
        << "\n";
    return kExitOk;
  }
  if (!s.prefixes.empty()) err << block_summary(s, o) << "\n";
  out << format_blocklist(s.prefixes, o.format, BlockHeader{utc_now(), criteria, s.asns}, o.rules);
  return kExitOk;
}

}  // namespace asncounter::ctl
