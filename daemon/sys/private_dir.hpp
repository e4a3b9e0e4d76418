#pragma once
// The directories the daemon writes in (control socket, counts, downloaded
// dumps): what keeps strangers from swapping its files or planting links
// there is the directory itself, so each must be closed to others.

#include <sys/types.h>

#include <optional>
#include <string>

#include "common/result.hpp"

namespace asncounter {

/// Refuses an existing `dir` as prepare_private_dir() does: unless it is a
/// directory that others cannot enter, owned by root or the effective user
/// (--check-config says what a start would refuse).
Result<void> check_private_dir(const std::string& dir, const std::string& what);

/// Creates `dir` (0750, group `group` when given) when missing, then refuses
/// it unless it is a directory that others cannot enter, owned by root or
/// the daemon's user. `what` names it in errors ("socket directory").
Result<void> prepare_private_dir(const std::string& dir, const std::string& what,
                                 std::optional<gid_t> group = std::nullopt);

}  // namespace asncounter
