#pragma once
// The answer of `lookup`, made the same way by the daemon (RPC `lookup`) and
// by `asncounterctl lookup --db FILE`, so both print the same rows:
// {"results": [{"ip", "asn", "prefix", "name"}, ...]}, one row per text in
// order; a text that is no address gets a row with "error" (and nulls), not
// a failed request. See docs/rpc.md.

#include <span>
#include <string>

namespace asncounter {

class AsNames;
class LpmTable;

/// The words of the error row of a text that is no address.
inline constexpr const char* kNotAnAddress = "not an IP address";

/// The JSON answer for `texts` in `table`; `names` may be null (names null).
std::string lookup_answer_json(const LpmTable& table, const AsNames* names,
                               std::span<const std::string> texts);

}  // namespace asncounter
