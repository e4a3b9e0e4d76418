#pragma once
// What a table answer alone would not say: a `top` where every hit is
// unrouted most likely means no routing table is loaded yet (every ASN
// prints as "None"). Said on stderr, so the table on stdout is unchanged.

#include <iosfwd>
#include <string>

namespace asncounter::ctl {

/// Writes a warning on `err` when the `top` answer `result` has hits and
/// every one of them is unrouted; true when it did.
bool warn_if_all_unrouted(const std::string& result, std::ostream& err);

}  // namespace asncounter::ctl
