// block-list's exact side: the carved space of an ASN from the daemon (its
// prefixes minus other ASNs' more-specifics, computed where the table is),
// `--asn N[,N]` (those ASNs, whatever the ranking says) and the summary line
// that names who is blocked and how much of the window they sent.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <ostream>

#include "common/report.hpp"
#include "ctl/blocklist_select.hpp"
#include "ctl/exit_codes.hpp"

namespace asncounter::ctl {
namespace {

using nlohmann::json;

// How many ASNs the summary names before "and N more".
constexpr std::size_t kSummaryAsns = 8;

}  // namespace

int carved_space(const BlockFetch& fetch, std::uint32_t asn, std::vector<Prefix>& out) {
  rpc::Params p;
  p.set(rpc::ParamId::asn, asn);
  p.set(rpc::ParamId::carved, 1);
  std::string result;
  if (int rc = fetch(rpc::MethodId::as_prefixes, p, result)) return rc;
  for (const auto& text : json::parse(result, nullptr, false).value("prefixes", json::array())) {
    if (auto prefix = text.is_string() ? parse_prefix(text.get<std::string>()) : std::nullopt)
      out.push_back(*prefix);
  }
  return kExitOk;
}

int select_asns(const BlockFetch& fetch, const BlockOptions& o, const BlockExclusions& ex,
                BlockSelection& out, std::ostream& err) {
  std::vector<Prefix> kept;
  for (std::uint32_t asn : o.asns) {
    if (std::find(out.asns.begin(), out.asns.end(), asn) != out.asns.end()) continue;  // named twice
    if (std::find(ex.asns.begin(), ex.asns.end(), asn) != ex.asns.end()) {
      err << "asncounterctl: block-list: AS" << asn << " is excluded (--exclude), not blocked\n";
      continue;
    }
    // Its traffic in the window: for --min-count and the summary.
    rpc::Params p;
    p.set(rpc::ParamId::asn, asn);
    if (o.window) p.set(rpc::ParamId::window, *o.window);
    if (!o.input.empty()) p.set_text(rpc::ParamId::input, o.input);
    std::string result;
    if (int rc = fetch(rpc::MethodId::asn, p, result)) return rc;
    json answer = json::parse(result, nullptr, false);
    auto count = answer.value("count", std::uint64_t{0});
    out.total = answer.value("total", std::uint64_t{0});
    if (count < o.min_count) {
      err << "asncounterctl: block-list: AS" << asn << " sent " << count << " hits, under --min-count "
          << o.min_count << ": not blocked\n";
      continue;
    }
    std::vector<Prefix> space;
    if (int rc = carved_space(fetch, asn, space)) return rc;
    std::erase_if(space, [&](const Prefix& c) { return o.family && c.addr.family != *o.family; });
    auto left = subtract_prefixes(std::move(space), ex.prefixes);
    if (left.empty()) continue;
    kept.insert(kept.end(), left.begin(), left.end());
    auto name = answer.find("name");
    out.shares.push_back(
        AsnShare{asn, name != answer.end() && name->is_string() ? name->get<std::string>() : "", count});
    out.asns.push_back(asn);
  }
  std::sort(out.asns.begin(), out.asns.end());
  out.prefixes = merge_prefixes(std::move(kept));
  return kExitOk;
}

std::string block_summary(const BlockSelection& s, const BlockOptions& o) {
  std::string out = "asncounterctl: block-list: ";
  std::uint64_t rest = 0;
  for (std::size_t i = 0; i < s.shares.size(); ++i) {
    const AsnShare& a = s.shares[i];
    if (i >= kSummaryAsns) {
      rest += a.count;
      continue;
    }
    if (i) out += ", ";
    out += "AS" + std::to_string(a.asn);
    if (!a.name.empty()) out += " (" + a.name + ")";
    out += " " + format_percent(a.count, s.total) + "%";
  }
  if (s.shares.size() > kSummaryAsns)
    out += " and " + std::to_string(s.shares.size() - kSummaryAsns) + " more ASNs " +
           format_percent(rest, s.total) + "%";
  out += " of " + std::to_string(s.total) + " hits " +
         (o.window ? "in the last " + std::to_string(*o.window) + "s" : std::string("since start"));
  std::size_t v4 = static_cast<std::size_t>(
      std::count_if(s.prefixes.begin(), s.prefixes.end(), [](const Prefix& p) { return p.addr.is_v4(); }));
  out += "; " + std::to_string(s.prefixes.size()) + " prefixes (" + std::to_string(v4) + " IPv4, " +
         std::to_string(s.prefixes.size() - v4) + " IPv6)";
  return out;
}

}  // namespace asncounter::ctl
