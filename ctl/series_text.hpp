#pragma once
// The `series` answer as columns: one line per step (its end, UTC), then
// the hits and bytes of each line of the answer (the total, an ASN, other).

#include <optional>
#include <string>

namespace asncounter::ctl {

/// Tab-separated columns with a header line; nullopt when `result` is not a series answer.
std::optional<std::string> series_text(const std::string& result);

}  // namespace asncounter::ctl
