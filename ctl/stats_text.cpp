#include "ctl/stats_text.hpp"

#include <ctime>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string_view>

#include "common/dump_stamp.hpp"
#include "common/json_text.hpp"
#include "common/plural.hpp"
#include "common/text_escape.hpp"

namespace asncounter::ctl {
namespace {

using nlohmann::json;

constexpr std::int64_t kStaleSeconds = 3 * 86400;  // three of the default daily refreshes

// Strings can come from outside (paths, errors): control characters escaped.
std::string text(const json& v) { return json_cell(v, "none"); }

std::uint64_t number(const json& doc, const char* key) {
  const json v = doc.is_object() ? doc.value(key, json()) : json();
  return v.is_number_unsigned() || v.is_number_integer() ? v.get<std::uint64_t>() : 0;
}

std::int64_t seconds(const json& doc, const char* key) {
  const json v = doc.is_object() ? doc.value(key, json()) : json();
  return v.is_number() ? v.get<std::int64_t>() : 0;
}

// "2026-11-30 06:00 UTC, 3 h old" (or "3 h ago" for an event).
std::string when(std::int64_t at, std::int64_t now, std::string_view suffix) {
  return date_text(at) + " UTC, " + age_text(now - at) + " " + std::string(suffix);
}

void table_section(std::ostream& out, const json& t, std::uint64_t names, std::int64_t now) {
  out << "table\n";
  if (!t.is_object() || number(t, "prefixes") == 0) {
    out << "  no table yet: every address counts as unrouted until one is loaded\n";
  } else {
    if (std::int64_t dump = seconds(t, "dump_time"); dump > 0) {
      out << "  table from " << when(dump, now, "old") << "\n";
      // Routing moves: a table a few daily refreshes behind names yesterday's
      // owners, and one years old misleads. Said, not buried in a date.
      if (now - dump > kStaleSeconds)
        out << "  STALE: the routing table is " << age_text(now - dump)
            << " old (over 3 days: more than 3 missed daily refreshes); counts may name the wrong ASNs. "
               "Check the refreshes below, or give a newer --db\n";
    }
    out << "  source: " << text(t.value("source", json())) << " (" << text(t.value("format", json()))
        << ")\n";
    if (std::int64_t loaded = seconds(t, "loaded_at"); loaded > 0)
      out << "  loaded: " << when(loaded, now, "ago") << "\n";
    out << "  prefixes: " << number(t, "prefixes") << " (IPv4 " << number(t, "v4_prefixes") << ", IPv6 "
        << number(t, "v6_prefixes") << "), " << (number(t, "memory_bytes") >> 20) << " MiB\n";
  }
  out << "  AS names: " << (names ? std::to_string(names) : std::string("none")) << "\n";
}

void inputs_section(std::ostream& out, const json& inputs) {
  out << "inputs\n";
  if (!inputs.is_array() || inputs.empty()) {
    out << "  none\n";
    return;
  }
  for (const json& in : inputs) {
    const std::string spec = text(in.value("spec", json())),
                      name = text(in.value("name", in.value("spec", json())));
    out << "  " << (name == spec ? spec : name + " (" + spec + ")") << ": " << text(in.value("state", json()))
        << "\n";
    if (in.contains("hits"))  // per-input counts: daemons since issue 26
      out << "    counted " << number(in, "hits") << " hits, " << number(in, "bytes") << " bytes\n";
    out << "    events " << number(in, "events") << ", rejected " << number(in, "rejected") << ", oversized "
        << number(in, "oversized") << ", capture drops " << number(in, "capture_drops") << ", reopens "
        << number(in, "reopens");
    if (in.contains("refused")) out << ", refused " << number(in, "refused");
    out << "\n";
    for (const json& e : in.value("exporters", json::array()))
      out << "    exporter " << text(e.value("exporter", json())) << ": " << number(e, "datagrams")
          << " datagrams, " << number(e, "records") << " records, " << number(e, "sequence_gaps")
          << " sequence gaps\n";
  }
}

std::string sections(const json& doc, std::int64_t now);

// The history behind --window answers, in words.
void history_section(std::ostream& out, const json& h) {
  out << "history (time windows)\n";
  if (!h.is_object() || !h.value("enabled", false)) {
    out << "  off: no --window answers (history-span 0)\n";
    return;
  }
  const json span = h.value("span_seconds", json());
  out << "  windows can reach back " << age_text(span.is_number() ? span.get<std::int64_t>() : 0) << " (from "
      << date_text(seconds(h, "from")) << " UTC)\n";
  out << "  " << count_of(number(h, "steps"), "step") << ", "
      << count_of(number(h, "entries"), "entry", "entries") << ", " << (number(h, "bytes") >> 10)
      << " KiB (and " << (number(h, "snapshot_bytes") >> 10) << " KiB of snapshots), "
      << count_of(number(h, "dropped_steps"), "step") << " dropped to stay in bounds\n";
  const json tiers = h.value("tiers", json::array());
  if (!tiers.is_array()) return;
  for (const json& t : tiers) {
    if (!t.is_object()) continue;
    const json held = t.value("span_seconds", json());
    out << "  steps of " << age_text(static_cast<std::int64_t>(number(t, "resolution"))) << ": "
        << age_text(held.is_number() ? held.get<std::int64_t>() : 0) << " held, "
        << count_of(number(t, "steps"), "step") << ", " << count_of(number(t, "entries"), "entry", "entries")
        << ", " << (number(t, "bytes") >> 10) << " KiB, " << count_of(number(t, "dropped_steps"), "step")
        << " dropped";
    if (number(t, "folded_prefixes"))
      out << ", " << count_of(number(t, "folded_prefixes"), "prefix entry", "prefix entries")
          << " folded into their ASN";
    out << "\n";
  }
}

}  // namespace

void flatten(std::ostream& out, const std::string& key, const json& v, std::string_view indent,
             std::string (*leaf)(const json&)) {
  if (v.is_object()) {
    for (const auto& [k, item] : v.items()) flatten(out, key.empty() ? k : key + "." + k, item, indent, leaf);
  } else if (v.is_array()) {
    for (std::size_t i = 0; i < v.size(); ++i)
      flatten(out, key + "[" + std::to_string(i) + "]", v[i], indent, leaf);
  } else {
    out << indent << key << ": " << leaf(v) << "\n";
  }
}

std::string date_text(std::int64_t unix_seconds, const char* format) {
  return utc_text(unix_seconds, format);
}

std::string age_text(std::int64_t s) {
  if (s < 0) return "in the future (clocks differ)";
  if (s < 120) return std::to_string(s) + " s";
  if (s < 2 * 3600) return std::to_string(s / 60) + " min";
  if (s < 2 * 86400) return std::to_string(s / 3600) + " h";
  return std::to_string(s / 86400) + " d";
}

std::string stats_text(const std::string& result, std::int64_t now) {
  json doc = json::parse(result, nullptr, false);
  if (!doc.is_object()) return "stats: malformed answer\n";
  try {
    return sections(doc, now);
  } catch (const json::exception&) {
    // A field of an unexpected type (another daemon version): the raw answer.
    return result + "\n";
  }
}

namespace {

std::string sections(const json& doc, std::int64_t now) {
  std::ostringstream out;
  out << "asncounterd " << text(doc.value("version", json())) << " (protocol "
      << text(doc.value("protocol", json())) << ")\n";
  if (std::int64_t started = seconds(doc, "started_at"); started > 0)
    out << "  up " << age_text(seconds(doc, "uptime_seconds")) << ", since " << date_text(started)
        << " UTC\n";
  out << "\n";
  table_section(out, doc.value("table", json()), number(doc, "as_names"), now);
  out << "\n";
  inputs_section(out, doc.value("inputs", json()));

  const json totals = doc.value("totals", json::object());
  out << "\ncounts\n  " << number(totals, "hits") << " hits";
  if (totals.value("has_bytes", false)) out << ", " << number(totals, "bytes") << " bytes";
  out << "\n  store: " << count_of(number(totals, "shards"), "shard") << ", "
      << count_of(number(totals, "generations"), "generation") << ", "
      << count_of(number(totals, "contended_locks"), "contended lock") << "\n";

  const json rpc = doc.value("rpc", json::object());
  out << "\ncontrol socket\n  " << count_of(number(rpc, "clients"), "client") << " now, "
      << count_of(number(rpc, "requests"), "request") << ", " << count_of(number(rpc, "errors"), "error")
      << ", " << number(rpc, "denied") << " denied, " << count_of(number(rpc, "refused_clients"), "client")
      << " refused\n";

  const json reloads = doc.value("reloads", json::object());
  const json refresh = doc.value("refresh", json::object());
  out << "\nreloads and refreshes\n  reloads: " << number(reloads, "ok") << " ok, "
      << number(reloads, "failed") << " failed";
  if (auto last = reloads.value("last_error", std::string()); !last.empty())
    out << "; last error: " << escaped(last);
  out << "\n  refreshes: " << number(refresh, "ok") << " ok, " << number(refresh, "failed") << " failed";
  if (auto last = refresh.value("last_outcome", std::string()); !last.empty())
    out << "; last: " << escaped(last);
  out << "\n";

  out << "\n";
  history_section(out, doc.value("history", json()));

  // What a newer daemon adds still shows.
  static const std::set<std::string> shown = {"version", "protocol", "started_at", "uptime_seconds",
                                              "table",   "as_names", "inputs",     "totals",
                                              "rpc",     "reloads",  "refresh",    "history"};
  std::ostringstream more;
  for (const auto& [key, v] : doc.items())
    if (!shown.count(key)) flatten(more, key, v, "  ", text);
  if (!more.str().empty()) out << "\nmore\n" << more.str();
  return out.str();
}

}  // namespace

}  // namespace asncounter::ctl
