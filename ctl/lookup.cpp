#include "ctl/lookup.hpp"

#include <istream>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>

#include "common/json_text.hpp"
#include "common/lookup_answer.hpp"
#include "common/rpc.hpp"
#include "common/table/as_names.hpp"
#include "common/table/lpm_table.hpp"
#include "common/trim.hpp"
#include "ctl/exit_codes.hpp"
#include "ctl/offline.hpp"

namespace asncounter::ctl {
namespace {

using nlohmann::json;

// A request's size: the texts, quoted and separated, under the daemon's
// request limit with room for the envelope.
constexpr std::size_t kBatchBytes = rpc::kMaxRequestBytes - 1024;

std::string cell(const json& v) { return json_cell(v, "None"); }

// Prints one answer's rows; false when some text was no address.
bool print_rows(const json& results, bool as_json, json& all, std::ostream& out, std::ostream& err) {
  bool good = true;
  for (const auto& row : results) {
    if (row.contains("error")) {
      good = false;
      if (!as_json)
        err << "asncounterctl: lookup: " << cell(row.value("ip", json())) << ": " << cell(row["error"])
            << "\n";
    } else if (!as_json) {
      out << cell(row.value("ip", json())) << '\t' << cell(row.value("asn", json())) << '\t'
          << cell(row.value("prefix", json())) << '\t' << cell(row.value("name", json())) << '\n';
    }
    if (as_json) all.push_back(row);
  }
  return good;
}

}  // namespace

int run_lookup(const LookupBatch& answer, const std::vector<std::string>& args, std::istream& in,
               bool as_json, std::ostream& out, std::ostream& err) {
  json all = json::array();
  bool good = true;
  std::vector<std::string> batch;
  std::size_t bytes = 0;
  auto flush = [&]() -> int {
    if (batch.empty()) return kExitOk;
    std::string result;
    if (int rc = answer(batch, result)) return rc;
    json doc = json::parse(result, nullptr, false);
    if (!doc.is_object() || !doc.value("results", json()).is_array()) {
      err << "asncounterctl: malformed lookup answer\n";
      return kExitDaemonError;
    }
    good = print_rows(doc["results"], as_json, all, out, err) && good;
    batch.clear();
    bytes = 0;
    return kExitOk;
  };
  auto add = [&](std::string_view text) -> int {
    // Each text costs its JSON form: quotes, a comma, escapes at worst x6.
    std::size_t cost = text.size() * 6 + 3;
    if (batch.size() == rpc::kMaxLookupAddresses || bytes + cost > kBatchBytes) {
      if (int rc = flush()) return rc;
    }
    batch.emplace_back(text);
    bytes += cost;
    return kExitOk;
  };
  if (!args.empty()) {
    for (const auto& a : args)
      if (int rc = add(text::trim(a))) return rc;
  } else {
    for (std::string line; std::getline(in, line);) {
      std::string_view t = text::trim(line);
      if (t.empty()) continue;
      // A line longer than a request can hold is no address anyway.
      if (t.size() * 6 + 3 > kBatchBytes) t = t.substr(0, 64);
      if (int rc = add(t)) return rc;
    }
  }
  if (int rc = flush()) return rc;
  if (as_json) out << compact_json(json{{"results", all}}) << "\n";
  out.flush();
  return good ? kExitOk : kExitDaemonError;
}

int offline_lookup_batch(const std::string& db, const std::string& asnames, LookupBatch& answer,
                         std::ostream& err) {
  auto table = load_offline(db);
  if (!table) {
    err << "asncounterctl: " << table.error() << '\n';
    return kExitDaemonError;
  }
  auto loaded_names = AsNames::load_shared(asnames);
  if (!loaded_names) {
    err << "asncounterctl: " << loaded_names.error() << '\n';
    return kExitDaemonError;
  }
  std::shared_ptr<const AsNames> names = *loaded_names;
  std::shared_ptr<const LpmTable> t = std::move(*table);
  answer = [t, names](std::span<const std::string> texts, std::string& result) {
    result = lookup_answer_json(*t, names.get(), texts);
    return kExitOk;
  };
  return kExitOk;
}

}  // namespace asncounter::ctl
