#include "ctl/offline.hpp"

#include <cstdlib>
#include <ctime>
#include <istream>
#include <ostream>
#include <string_view>

#include "common/ip.hpp"
#include "common/table/ipasn.hpp"
#include "common/table/table_cache.hpp"
#include "common/table/table_file.hpp"
#include "common/trim.hpp"
#include "ctl/exit_codes.hpp"

namespace asncounter::ctl {
namespace {

// One answer line; false (and a message on err) when `text` is no address.
bool lookup_one(const LpmTable& table, std::string_view text, std::string& line, std::ostream& err) {
  auto addr = parse_address(text);
  if (!addr) {
    err << "not an IP address: " << text << '\n';
    return false;
  }
  line.assign(text);
  line += '\t';
  if (auto m = table.lookup(*addr)) {
    line += std::to_string(m->asn);
    line += '\t';
    append_to(line, m->prefix);
  } else {
    line += "None\tNone";
  }
  line += '\n';
  return true;
}

// A --db table through the daemon's table cache (ASNCOUNTER_CACHE_DIR, else
// its default cache-dir): mapped in milliseconds when the daemon or a
// --once run built it, else parsed. Read only (a client never writes the
// daemon's directory) and quiet (a script's stderr gets no cache notes).
Result<std::shared_ptr<const LpmTable>> load_offline(const std::string& db) {
  const char* dir = std::getenv("ASNCOUNTER_CACHE_DIR");
  auto loaded = load_table_cached(db, dir ? dir : "/var/cache/asncounter", nullptr, {}, false);
  if (!loaded) return Error{loaded.error()};
  return loaded->table;
}

}  // namespace

int offline_lookup(const std::string& db, const std::vector<std::string>& ips, std::istream& in,
                   std::ostream& out, std::ostream& err) {
  auto table = load_offline(db);
  if (!table) {
    err << table.error() << '\n';
    return kExitDaemonError;
  }
  // A bad address is reported and skipped; the exit code tells a script that one was.
  bool all_good = true;
  std::string line;
  if (!ips.empty()) {
    for (const std::string& ip : ips) {
      if (lookup_one(**table, text::trim(ip), line, err))
        out << line;
      else
        all_good = false;
    }
  } else {
    std::string text;
    while (std::getline(in, text)) {
      std::string_view t = text::trim(text);
      if (t.empty()) continue;
      if (lookup_one(**table, t, line, err))
        out << line;
      else
        all_good = false;
    }
  }
  out.flush();
  return all_good ? kExitOk : kExitDaemonError;
}

int offline_as_prefixes(const std::string& db, std::uint32_t asn, std::ostream& out, std::ostream& err) {
  auto table = load_offline(db);
  if (!table) {
    err << table.error() << '\n';
    return kExitDaemonError;
  }
  std::string text;
  for (const Prefix& p : (*table)->as_prefixes(asn)) {
    text.clear();
    append_to(text, p);
    text += '\n';
    out << text;
  }
  out.flush();
  return kExitOk;
}

int convert(const std::string& input, const std::string& output, std::ostream& err) {
  auto table = load_table(input);
  if (!table) {
    err << table.error() << '\n';
    return kExitDaemonError;
  }
  const LpmTable& t = **table;
  // pyasn_util_convert.py's header, so tools that read it keep working, and
  // the dump time, which pyasn leaves to the original file's name.
  std::vector<std::string> comment{"IP-ASN32-DAT file", "Original file : " + input,
                                   "Source format : " + std::string(table_format_name(t.info().format))};
  if (t.info().dump_time != 0) comment.push_back(dump_time_comment(t.info().dump_time));
  comment.push_back("Converted on  : " + format_utc(std::time(nullptr)) + " by asncounterctl convert");
  comment.push_back("Prefixes-v4   : " + std::to_string(t.v4_prefix_count()));
  comment.push_back("Prefixes-v6   : " + std::to_string(t.v6_prefix_count()));
  comment.emplace_back();
  auto written = write_ipasn(output, t.routes(), comment);
  if (!written) {
    err << written.error() << '\n';
    return kExitDaemonError;
  }
  return kExitOk;
}

}  // namespace asncounter::ctl
