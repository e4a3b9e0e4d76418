#pragma once
// What the inputs that run a thread of their own (captures, flow receivers)
// share for Input::wait(): the end of that thread, told under the input's
// own mutex.

#include <condition_variable>
#include <mutex>

namespace asncounter {

/// Blocks until the input's thread set `finished`, or at once when the input
/// never `started` (nothing would ever set it).
inline void wait_until_finished(std::mutex& mutex, std::condition_variable& cv, const bool& started,
                                const bool& finished) {
  std::unique_lock lock(mutex);
  cv.wait(lock, [&] { return finished || !started; });
}

}  // namespace asncounter
