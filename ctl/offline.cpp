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
