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
  std::string out =
      std::string("--by ") + (o.by_asn ? "asn" : "prefix") + " --limit " + std::to_string(o.limit);
  if (o.window) out += " --window " + std::to_string(*o.window) + "s";
  if (o.min_count) out += " --min-count " + std::to_string(o.min_count);
  if (o.family) out += " --family " + std::to_string(static_cast<unsigned>(*o.family));
  if (!o.exclude_file.empty()) out += " --exclude " + o.exclude_file;
  return out;
}

// The prefixes of one ASN in the daemon's table.
int as_prefixes(const BlockFetch& fetch, std::uint32_t asn, std::vector<Prefix>& out) {
  rpc::Params p;
  p.set(rpc::ParamId::asn, asn);
  std::string result;
  if (int rc = fetch(rpc::MethodId::as_prefixes, p, result)) return rc;
  for (const auto& text : json::parse(result, nullptr, false).value("prefixes", json::array())) {
    if (auto prefix = text.is_string() ? parse_prefix(text.get<std::string>()) : std::nullopt)
      out.push_back(*prefix);
  }
  return kExitOk;
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
  std::map<std::uint32_t, std::vector<Prefix>> of_asn;  // as_prefixes answers, asked once
  for (;;) {
    rpc::Params p;
    p.set(rpc::ParamId::limit, ask);
    if (o.window) p.set(rpc::ParamId::window, *o.window);
    if (!o.sort.empty()) p.set_word(rpc::ParamId::sort, o.sort);
    std::string result;
    if (int rc = fetch(o.by_asn ? rpc::MethodId::top : rpc::MethodId::prefixes, p, result)) return rc;
    auto table = report_from_json(result, !o.by_asn);
    if (!table) return err << "asncounterctl: " << table.error() << "\n", kExitDaemonError;
    std::vector<Prefix> kept;
    std::set<std::uint32_t> asns;
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
      std::vector<Prefix> candidates;
      if (o.by_asn) {
        if (!of_asn.contains(*row.asn)) {
          if (int rc = as_prefixes(fetch, *row.asn, of_asn[*row.asn])) return rc;
        }
        candidates = of_asn[*row.asn];
      } else if (row.prefix) {
        candidates.push_back(*row.prefix);
      }
      std::erase_if(candidates, [&](const Prefix& c) { return o.family && c.addr.family != *o.family; });
      auto left = subtract_prefixes(std::move(candidates), ex.prefixes);
      if (left.empty()) continue;
      kept.insert(kept.end(), left.begin(), left.end());
      asns.insert(*row.asn);
      if (o.limit != 0 && ++rows_kept == o.limit) {
        enough = true;
        break;
      }
    }
    // A shorter answer than asked (or all asked): the daemon has no more rows.
    if (enough || ask == 0 || table->rows.size() < ask) {
      out.prefixes = merge_prefixes(std::move(kept));
      out.asns.assign(asns.begin(), asns.end());
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
  if (int rc = select_blocked(fetch, o, ex, s, err)) return rc;
  const std::string criteria = criteria_text(o);
  // Still printed: loading an empty list empties the live one.
  if (s.prefixes.empty()) err << "asncounterctl: block-list: no prefix to block (" << criteria << ")\n";
  if (o.json) {
    json list = json::array();
    for (const auto& p : s.prefixes) list.push_back(to_string(p));
    out << json{{"prefixes", list}, {"asns", s.asns}, {"criteria", criteria}}.dump() << "\n";
    return kExitOk;
  }
  out << format_blocklist(s.prefixes, o.format, BlockHeader{utc_now(), criteria, s.asns});
  return kExitOk;
}

}  // namespace asncounter::ctl
