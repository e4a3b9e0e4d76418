#pragma once
// asncounterctl's offline commands: they work on a table file, no daemon.

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace asncounter::ctl {

// `lookup --db FILE` is in ctl/lookup.hpp: it prints what the daemon's does.

/// `as-prefixes --db FILE ASN`: the prefixes of ASN, sorted, one per line.
int offline_as_prefixes(const std::string& db, std::uint32_t asn, std::ostream& out, std::ostream& err);

/// `convert INPUT OUTPUT`: any table source to a pyasn ipasn file.
int convert(const std::string& input, const std::string& output, std::ostream& err);

}  // namespace asncounter::ctl
