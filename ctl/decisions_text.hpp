#pragma once
// How `asncounterctl decisions`, `ban` and `unban` print for people: the
// mode, then the bans in force and the recent decisions, one per line.

#include <string>

namespace asncounter::ctl {

/// The text of a `decisions` answer (JSON `result`).
std::string decisions_text(const std::string& result);
/// The text of a `ban` or `unban` answer: the one decision.
std::string decision_text(const std::string& result);

}  // namespace asncounter::ctl
