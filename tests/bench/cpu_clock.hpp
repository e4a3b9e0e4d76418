#pragma once
// CPU time for the benchmarks. The machines they run on are shared, and the
// wall clock also counts the turns other processes had the core; CPU time
// says what our code did with its own.

#include <time.h>

namespace asncounter::bench {

inline double clock_seconds(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

/// CPU seconds (user + system) of the calling thread.
inline double thread_cpu_seconds() { return clock_seconds(CLOCK_THREAD_CPUTIME_ID); }

/// CPU seconds (user + system) of the whole process, all threads.
inline double process_cpu_seconds() { return clock_seconds(CLOCK_PROCESS_CPUTIME_ID); }

}  // namespace asncounter::bench
