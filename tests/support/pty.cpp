#include "tests/support/pty.hpp"

#include <fcntl.h>
#include <stdlib.h>

namespace asncounter::test {

Pty open_pty() {
  Pty pty;
  pty.master.reset(posix_openpt(O_RDWR | O_NOCTTY));
  if (!pty.master || grantpt(pty.master.get()) != 0 || unlockpt(pty.master.get()) != 0) return pty;
  pty.terminal.reset(open(ptsname(pty.master.get()), O_RDWR | O_NOCTTY));
  return pty;
}

}  // namespace asncounter::test
