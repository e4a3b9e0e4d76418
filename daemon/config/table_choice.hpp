#pragma once
// Where the tables come from, as the options say: the daemon, the one-shot
// mode and --check-config all follow these two answers, so they cannot
// drift apart.

#include <cstdint>
#include <string>

#include "daemon/config/options.hpp"

namespace asncounter {

/// The table to load before any download.
struct FirstTable {
  enum class From : std::uint8_t { none, db, cache };
  From from = From::none;
  std::string path;  ///< the --db file, or the newest RIB left in cache-dir
};

/// --db when given, else the newest RIB a download left in cache-dir, else
/// none (a download must bring the first table).
FirstTable first_table(const Options& o);

/// Whether tables are downloaded: a rib-url, and with --db only one given
/// explicitly (the default mirror never overrides a table the operator named).
bool downloads_tables(const Options& o);

}  // namespace asncounter
