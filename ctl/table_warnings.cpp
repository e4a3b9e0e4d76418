#include "ctl/table_warnings.hpp"

#include <ostream>

#include "common/report.hpp"

namespace asncounter::ctl {

bool warn_if_all_unrouted(const std::string& result, std::ostream& err) {
  auto table = report_from_json(result, false);
  if (!table || table->total == 0) return false;
  for (const auto& row : table->rows)
    if (row.asn) return false;
  err << "asncounterctl: warning: every hit is unrouted: no table loaded yet, or none of these addresses "
         "is routed (see asncounterctl stats)\n";
  return true;
}

}  // namespace asncounter::ctl
