#pragma once
// Follows a log file like `tail -F`: waits for it to exist, survives
// rotation by rename (the old file is read to its end, and kept a while in
// case its writer has not reopened yet, before the new one takes over) and
// by truncation (reading starts again at offset 0). Polls every
// kFollowPollMs when there is nothing new; see docs/inputs.md.

#include <functional>
#include <string>

#include "daemon/input/fd_util.hpp"
#include "daemon/input/input.hpp"
#include "daemon/input/lines/line_pump.hpp"

namespace asncounter {

/// How often a quiet file is looked at again (new data, rotation, truncation).
inline constexpr int kFollowPollMs = 100;
/// How long a rotated-away file must stay quiet before it is closed.
inline constexpr int kRotatedGraceMs = 2000;

/// Follows `path` until `waker` fires. With `start_at_end`, a file that
/// exists at start is read from its end (tail -F); files that appear later
/// are read from the start. `set_state` receives running, waiting
/// (no file yet) or an error (an open failure, retried).
void follow_file(const std::string& path, bool start_at_end, const Waker& waker, LinePump& pump,
                 LineStats& stats, const std::function<void(const InputState&)>& set_state);

}  // namespace asncounter
