#pragma once
// Waiting for the daemon under test to get somewhere, without timing it:
// poll, with a bound that only stops a broken daemon from hanging the suite.

#include <chrono>
#include <thread>

namespace asncounter::test {

/// Calls `pred` every 50 ms until it holds (true) or `limit` has passed (false).
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = std::chrono::seconds(30)) {
  for (auto waited = std::chrono::milliseconds(0); waited < limit; waited += std::chrono::milliseconds(50)) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

}  // namespace asncounter::test
