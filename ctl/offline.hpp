#pragma once
// asncounterctl's offline commands: they work on a table file, no daemon.

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "common/table/lpm_table.hpp"

namespace asncounter::ctl {

// `lookup --db FILE` is in ctl/lookup.hpp: it prints what the daemon's does.

/// A --db table through the daemon's table cache, read only: mapped when a
/// daemon or --once run built it, else parsed.
Result<std::shared_ptr<const LpmTable>> load_offline(const std::string& db);

/// `as-prefixes --db FILE ASN`: the prefixes of ASN, sorted, one per line.
int offline_as_prefixes(const std::string& db, std::uint32_t asn, std::ostream& out, std::ostream& err);

/// `convert INPUT OUTPUT`: any table source to a pyasn ipasn file.
int convert(const std::string& input, const std::string& output, std::ostream& err);

}  // namespace asncounter::ctl
