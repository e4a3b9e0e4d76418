#pragma once
// The one place the options become the inputs' settings, for the daemon and
// the one-shot mode alike (they differ only in `once`).

#include "daemon/config/options.hpp"
#include "daemon/input/input_options.hpp"

namespace asncounter {

/// The InputOptions the options give; `once` reads to the end and finishes.
InputOptions input_settings(const Options& options, bool once);

}  // namespace asncounter
