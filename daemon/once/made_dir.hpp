#pragma once
// A directory a one-shot run makes only for what it writes there: made when
// missing (0700 for a user, 0750 for root, then checked as the daemon checks
// its own directories), and removed again, with the parents made for it,
// when the run wrote nothing into it. So `--cache-dir NEW` keeps its table
// cache, and an offline run that could not download leaves no empty
// /var/cache/asncounter behind.

#include <filesystem>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace asncounter {

class MadeDir {
 public:
  /// Makes `dir` (and its missing parents) unless it exists; `what` names
  /// it in errors ("cache directory"). An error when it cannot be made or
  /// is not private (mode, owner).
  static Result<MadeDir> make(const std::string& dir, const std::string& what);

  MadeDir() = default;
  MadeDir(MadeDir&& other) noexcept : made_(std::move(other.made_)) { other.made_.clear(); }
  MadeDir& operator=(MadeDir&& other) noexcept;
  MadeDir(const MadeDir&) = delete;
  MadeDir& operator=(const MadeDir&) = delete;
  /// Removes what it made, innermost first, while it is empty.
  ~MadeDir() { remove_if_empty(); }

  /// True when the directory did not exist and was made now.
  bool made() const noexcept { return !made_.empty(); }
  /// Keeps what was made even when empty (the run is over with it).
  void keep() noexcept { made_.clear(); }
  void remove_if_empty() noexcept;

 private:
  std::vector<std::filesystem::path> made_;  // outermost first
};

}  // namespace asncounter
