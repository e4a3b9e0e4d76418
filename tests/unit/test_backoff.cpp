#include <catch2/catch.hpp>

#include <set>

#include "daemon/refresh/backoff.hpp"

using asncounter::Backoff;
using std::chrono::milliseconds;
using std::chrono::seconds;

TEST_CASE("Backoff waits grow exponentially with jitter, up to the cap, and reset", "[refresh]") {
  Backoff b(seconds(30), seconds(3600));
  // Attempt k waits somewhere in [first, min(cap, first * 2^k)].
  for (unsigned k = 0; k < 12; ++k) {
    auto ceiling = std::min<std::int64_t>(3600000, 30000LL << k);
    auto wait = b.next();
    INFO("attempt " << k);
    CHECK(wait >= milliseconds(30000));
    CHECK(wait <= milliseconds(ceiling));
  }
  CHECK(b.failures() == 12);
  b.reset();
  CHECK(b.failures() == 0);
  CHECK(b.next() == milliseconds(30000));  // the first wait has no room for jitter
}

TEST_CASE("Backoff jitter spreads retries instead of synchronising them", "[refresh]") {
  std::set<std::int64_t> seen;
  for (int i = 0; i < 20; ++i) {
    Backoff again(seconds(1), seconds(1000));
    for (int k = 0; k < 8; ++k) again.next();  // the ninth wait's ceiling is 256 s
    seen.insert(again.next().count());
  }
  CHECK(seen.size() > 10);  // 20 draws from a 255 s wide window
}
