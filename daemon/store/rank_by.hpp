#pragma once
// What a ranked prefix query orders its rows by, so that a limit keeps the
// heaviest by that measure (a volumetric flood is few hits and many bytes).

#include <cstdint>

namespace asncounter {

enum class RankBy : std::uint8_t {
  hits,   ///< hits descending (the default everywhere)
  bytes,  ///< bytes descending
};

}  // namespace asncounter
