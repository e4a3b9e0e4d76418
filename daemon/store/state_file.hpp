#pragma once
// Counts that survive restarts: the store's rows written to the state
// directory (temporary file, fsync, rename, fsync of the directory) and read
// back at start. A damaged file is an error the caller logs before moving it
// aside with set_aside(); it is never fatal.

#include <string>
#include <vector>

#include "common/counts.hpp"
#include "common/result.hpp"

namespace asncounter {

/// The file the counts live in: DIR/counts.state.
std::string state_path(const std::string& state_dir);

/// Writes `rows` atomically; returns the number of rows written.
Result<std::size_t> save_state(const std::string& state_dir, const std::vector<PrefixRow>& rows);

/// Reads the rows back. A missing file is an empty result, not an error; a
/// damaged one (bad header, bad line, wrong checksum, cut short) is an error
/// naming the file and the line.
Result<std::vector<PrefixRow>> load_state(const std::string& state_dir);

/// Renames a damaged state file to counts.state.damaged-UNIXTIME; returns the new path.
std::string set_aside(const std::string& state_dir);

}  // namespace asncounter
