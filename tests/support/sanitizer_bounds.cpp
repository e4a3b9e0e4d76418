#include "tests/support/sanitizer_bounds.hpp"

// ASNCOUNTER_UNDER_SANITIZER is defined (to the -fsanitize= list) for this
// file only, by tests/CMakeLists.txt, when the build has ASNCOUNTER_SANITIZE:
// the binaries under test are then built with the same sanitizers.

namespace asncounter::test {

namespace {

// Under ASan every allocation carries red zones, the shadow memory adds an
// eighth of what is touched, and freed blocks wait in a quarantine (up to
// 256 MiB by default) before they are reused; code runs 2 to 3 times slower
// (UBSan's checks besides). The bounds grow by that much and no more: the
// bugs they were set against (a bomb at several hundred MiB to GiBs, 700 MB
// of answers held, a second client waiting 13 s, a stop after > 30 s) still
// fail them.
constexpr long kRssFactor = 2;
constexpr long kQuarantineKib = 256 * 1024;
constexpr long kTimeFactor = 3;

}  // namespace

bool under_sanitizer() {
#ifdef ASNCOUNTER_UNDER_SANITIZER
  return true;
#else
  return false;
#endif
}

long rss_bound_kib(long plain_kib) {
  return under_sanitizer() ? plain_kib * kRssFactor + kQuarantineKib : plain_kib;
}

std::chrono::milliseconds time_bound(std::chrono::milliseconds plain) {
  return under_sanitizer() ? plain * kTimeFactor : plain;
}

}  // namespace asncounter::test
