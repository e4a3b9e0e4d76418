#pragma once
// Counts that survive restarts: the store's rows written to the state
// directory (temporary file, fsync, rename, fsync of the directory) and read
// back at start. A damaged file is reported so the caller logs it and moves
// it aside with set_aside(); a file that cannot be read at all (EACCES, EIO,
// EMFILE...) is an error that must stop the start, so that the next save
// never replaces counts that were only out of reach.

#include <string>
#include <vector>

#include "common/counts.hpp"
#include "common/result.hpp"
#include "daemon/store/history_config.hpp"

namespace asncounter {

/// The file the counts live in: DIR/counts.state.
std::string state_path(const std::string& state_dir);

/// Writes `rows` atomically; returns the number of rows written. The
/// temporary file is created afresh, never through a link planted in its place.
/// `history`, when given, is saved after them (format version 2).
Result<std::size_t> save_state(const std::string& state_dir, const std::vector<PrefixRow>& rows,
                               const SavedHistory* history = nullptr);

/// What the state directory held.
struct LoadedState {
  std::vector<PrefixRow> rows;  ///< empty when there is no state file
  SavedHistory history;         ///< no steps: none saved (or a version 1 file)
  std::string damage;           ///< why a readable file is damaged, naming file and line; empty: sound
};

/// Reads the rows back. Only a missing file (ENOENT) means "no state"; a file
/// that cannot be opened or read is an error naming the file and the errno
/// text. A damaged one (bad header, bad line, wrong checksum, cut short) is
/// not an error: `damage` says what is wrong.
Result<LoadedState> load_state(const std::string& state_dir);

/// Renames a damaged state file to counts.state.damaged-UNIXTIME; returns the new path.
std::string set_aside(const std::string& state_dir);
/// Renames a damaged file to PATH.damaged-UNIXTIME; returns the new path.
std::string set_aside_file(const std::string& path);

}  // namespace asncounter
