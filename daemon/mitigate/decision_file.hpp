#pragma once
// The decisions in the state directory (mitigation.json), so that a restart
// shows the bans the kernel still holds with their remaining time, and
// remembers repeat offenders.

#include <string>

#include "common/result.hpp"
#include "daemon/mitigate/decision_book.hpp"

namespace asncounter::mitigate {

/// A decision as JSON text (the `decisions` answer's rows and the file's).
std::string decision_json_text(const Decision& d, std::int64_t now);

/// The book's saved form as the file's text, and back (never throws; a bad file is an error).
std::string saved_text(const DecisionBook::Saved& saved);
Result<DecisionBook::Saved> parse_saved(std::string_view text);

/// state_dir/mitigation.json.
std::string decisions_path(const std::string& state_dir);
/// Writes it atomically (temporary file, fsync, rename).
Result<void> save_decisions(const std::string& state_dir, const DecisionBook::Saved& saved);
/// Reads it; an absent file is an empty book.
Result<DecisionBook::Saved> load_decisions(const std::string& state_dir);

}  // namespace asncounter::mitigate
