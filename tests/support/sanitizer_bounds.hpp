#pragma once
// Bounds on the peak memory and the latency of the binaries under test,
// checked in every build: a plain one and CI's sanitizer ones. See
// sanitizer_bounds.cpp for why and how much they grow there.

#include <chrono>

namespace asncounter::test {

/// True when the binaries under test were built with -DASNCOUNTER_SANITIZE=...
bool under_sanitizer();

/// A peak-RSS bound, KiB: `plain_kib` in a plain build, 352 MiB more under a sanitizer.
long rss_bound_kib(long plain_kib);

/// A latency bound: `plain` in a plain build, twice that under a sanitizer.
std::chrono::milliseconds time_bound(std::chrono::milliseconds plain);

}  // namespace asncounter::test
