#pragma once
// Which table and AS names one-shot mode counts with, as the old tool chose
// them: --db when given; else the newest dump in cache-dir (where the daemon
// and earlier runs downloaded them) with the names cached beside it; else,
// when downloads are on (rib-url), a download into cache-dir now.

#include <iosfwd>
#include <memory>

#include "common/result.hpp"
#include "common/table/as_names.hpp"
#include "common/table/lpm_table.hpp"

namespace asncounter {

struct Options;

struct OnceTable {
  std::shared_ptr<const LpmTable> table;
  std::shared_ptr<const AsNames> names;  ///< null: no names
};

/// The table and names for --once; progress and cache notes go to `err`.
/// The error says what failed and exactly how to get a table.
Result<OnceTable> choose_once_table(const Options& options, std::ostream& err);

}  // namespace asncounter
