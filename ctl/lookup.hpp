#pragma once
// `asncounterctl lookup [IP...]` over the socket and `lookup --db FILE
// [--asnames FILE] [IP...]` offline: the same rows either way (ip, asn,
// prefix, AS name; `None` where unrouted), the addresses from stdin when none
// are given, a text that is no address reported alone (its row in --json, a
// line on stderr otherwise) while the others are answered. The exit code is
// 1 when any text was no address.

#include <functional>
#include <iosfwd>
#include <span>
#include <string>
#include <vector>

namespace asncounter::ctl {

/// Answers one batch of texts with a `lookup` answer's JSON; returns an exit code.
using LookupBatch = std::function<int(std::span<const std::string> texts, std::string& result)>;

/// Reads the texts (`args`, or the non-blank lines of `in`), asks `answer`
/// in batches small enough for one request each, and prints the rows (or,
/// with `json`, one `{"results": [...]}` of every row). Returns an exit code.
int run_lookup(const LookupBatch& answer, const std::vector<std::string>& args, std::istream& in, bool json,
               std::ostream& out, std::ostream& err);

/// The offline answerer: `db` (and `asnames` when not empty) loaded once.
/// Returns an exit code; on success `answer` is set.
int offline_lookup_batch(const std::string& db, const std::string& asnames, LookupBatch& answer,
                         std::ostream& err);

}  // namespace asncounter::ctl
