#include <array>
#include <string_view>

#include "daemon/input/input.hpp"

namespace asncounter {
namespace {

// The names of InputPhase, indexed by its value: the words of stats.
constexpr std::array<std::string_view, 9> kPhaseNames = {
    "created", "idle", "starting", "opening", "running", "waiting", "finished", "stopped", "error"};
static_assert(kPhaseNames.size() == static_cast<std::size_t>(InputPhase::error) + 1);

}  // namespace

std::string InputState::text() const {
  std::string out(kPhaseNames[static_cast<std::size_t>(phase)]);
  if (phase == InputPhase::error) out += ": " + why;
  return out;
}

}  // namespace asncounter
