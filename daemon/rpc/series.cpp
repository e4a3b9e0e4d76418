#include "daemon/rpc/series.hpp"

#include "daemon/rpc/store_of.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "common/json_text.hpp"
#include "daemon/store/counter_store.hpp"

namespace asncounter::rpc {

namespace {

using nlohmann::json;
using AsnKey = std::optional<std::uint32_t>;

double seconds(std::chrono::milliseconds ms) { return static_cast<double>(ms.count()) / 1000.0; }

// The window's ASNs by hits, most first (ties: unrouted first, then by ASN).
std::vector<AsnKey> top_asns(const std::map<AsnKey, std::uint64_t>& sums, std::size_t top) {
  std::vector<std::pair<AsnKey, std::uint64_t>> all(sums.begin(), sums.end());
  auto n = std::min(top, all.size());
  std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n), all.end(),
                    [](const auto& a, const auto& b) {
                      return a.second != b.second ? a.second > b.second : a.first < b.first;
                    });
  std::vector<AsnKey> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(all[i].first);
  return out;
}

}  // namespace

Series make_series(const std::vector<SavedStep>& steps, std::chrono::seconds window,
                   std::optional<std::uint32_t> asn, std::size_t top) {
  Series s;
  std::vector<const SavedStep*> kept;
  for (const auto& step : steps)
    if (step.age_from <= window) kept.push_back(&step);
  // Per step and ASN, then the window's sums to pick the top.
  std::vector<std::map<AsnKey, Counts>> by_asn(kept.size());
  std::map<AsnKey, std::uint64_t> sums;
  SeriesLine total;
  for (std::size_t i = 0; i < kept.size(); ++i) {
    s.steps.emplace_back(seconds(kept[i]->age_from), seconds(kept[i]->age_to));
    Counts all;
    for (const auto& row : kept[i]->rows) {
      all += row.counts;
      by_asn[i][row.asn] += row.counts;
      sums[row.asn] += row.counts.hits;
    }
    total.hits.push_back(all.hits);
    total.bytes.push_back(all.bytes);
  }
  s.lines.push_back(std::move(total));
  std::vector<AsnKey> shown = asn ? std::vector<AsnKey>{*asn} : top_asns(sums, std::min(top, kMaxSeriesAsns));
  for (const auto& key : shown) {
    SeriesLine line{SeriesLine::Kind::asn, key, {}, {}};
    for (const auto& step : by_asn) {
      auto it = step.find(key);
      line.hits.push_back(it == step.end() ? 0 : it->second.hits);
      line.bytes.push_back(it == step.end() ? 0 : it->second.bytes);
    }
    s.lines.push_back(std::move(line));
  }
  if (!asn && top > 0) {
    SeriesLine other{SeriesLine::Kind::other, std::nullopt, {}, {}};
    for (std::size_t i = 0; i < kept.size(); ++i) {
      std::uint64_t hits = s.lines[0].hits[i], bytes = s.lines[0].bytes[i];
      for (std::size_t l = 1; l < s.lines.size(); ++l) {
        hits -= s.lines[l].hits[i];
        bytes -= s.lines[l].bytes[i];
      }
      other.hits.push_back(hits);
      other.bytes.push_back(bytes);
    }
    s.lines.push_back(std::move(other));
  }
  return s;
}

Reply series(DaemonControl& d, const Params& p, const AnswerCaps&) {
  Reply error;
  CounterStore* store = store_of(d, p, error);
  if (!store) return error;
  auto window = std::chrono::seconds(p.number<std::uint32_t>(ParamId::window).value_or(kDefaultSeriesWindow));
  if (window.count() == 0) window = std::chrono::seconds(kDefaultSeriesWindow);
  auto asn = p.number<std::uint32_t>(ParamId::asn);
  auto top = p.number<std::size_t>(ParamId::limit).value_or(0);
  auto mono_now = std::chrono::steady_clock::now();
  auto wall_now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  Series s = make_series(store->export_history(mono_now, window), window, asn, top);
  auto names = d.names();
  json steps = json::array();
  for (const auto& [from, to] : s.steps) steps.push_back({{"from", wall_now - from}, {"to", wall_now - to}});
  json lines = json::array();
  for (const auto& line : s.lines) {
    json l;
    switch (line.kind) {
      case SeriesLine::Kind::total:
        l["series"] = "total";
        break;
      case SeriesLine::Kind::other:
        l["series"] = "other";
        break;
      case SeriesLine::Kind::asn: {
        l["series"] = "asn";
        l["asn"] = line.asn ? json(*line.asn) : json(nullptr);
        auto name = names && line.asn ? names->name(*line.asn) : std::nullopt;
        l["name"] = name ? json(std::string(*name)) : json(nullptr);
        break;
      }
    }
    l["hits"] = line.hits;
    l["bytes"] = line.bytes;
    lines.push_back(std::move(l));
  }
  json out = {
      {"window", {{"seconds", window.count()}}}, {"steps", std::move(steps)}, {"lines", std::move(lines)}};
  return Reply::success(compact_json(out));
}

}  // namespace asncounter::rpc
