#pragma once
// A question before what cannot be undone (`reset`): asked on the terminal,
// answered with y or yes; anything else, or the end of input, is no.

#include <iosfwd>
#include <string>

namespace asncounter::ctl {

/// True when stdin is a terminal (someone there to ask).
bool stdin_is_terminal();

/// Writes "asncounterctl: QUESTION [y/N] " on `err`, reads one line from
/// `in`; true for "y" or "yes" (any case).
bool confirmed(std::istream& in, std::ostream& err, const std::string& question);

}  // namespace asncounter::ctl
