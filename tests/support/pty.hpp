#pragma once
// A pseudo-terminal, for tests of what a program does when its stdin is a
// terminal.

#include "common/unique_fd.hpp"

namespace asncounter::test {

/// Both ends of a new pseudo-terminal; empty ones when it could not be had.
struct Pty {
  UniqueFd master;
  UniqueFd terminal;  ///< the end a program reads as its terminal
};

/// Opens a pseudo-terminal; check both ends.
Pty open_pty();

}  // namespace asncounter::test
