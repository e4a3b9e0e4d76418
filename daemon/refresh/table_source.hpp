#pragma once
// Where the daemon's tables come from: a file (--db) or a RouteViews mirror.
// A source only fetches and builds the next table; the TableRefresher decides
// whether it replaces the one in force, counts and logs the outcome.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "common/result.hpp"
#include "common/table/lpm_table.hpp"

namespace asncounter {

/// The next table a source brought, or word that the one in force is current.
struct TableUpdate {
  std::shared_ptr<const LpmTable> table;  ///< null: the table in force is up to date
  std::string from;                       ///< the path or URL it came from
};

class TableSource {
 public:
  virtual ~TableSource() = default;
  /// Fetches and builds the next table. `current` is the table in force;
  /// `stop` is set at shutdown and makes work under way give up.
  virtual Result<TableUpdate> fetch(const LpmTable& current, const std::atomic<bool>& stop) = 0;
  /// The refresher installed `update` (accepted) or refused it as
  /// implausible: a cache keeps or forgets it accordingly.
  virtual void judged(const TableUpdate& update, bool accepted) {
    static_cast<void>(update);
    static_cast<void>(accepted);
  }
};

}  // namespace asncounter
