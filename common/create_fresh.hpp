#pragma once
// Creates a file afresh for writing, never through a file or a link someone
// left at the path: O_EXCL|O_NOFOLLOW, after removing what is there (the
// temporary file of a write that died; unlink removes a link, not its
// target).

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "common/unique_fd.hpp"

namespace asncounter {

/// A new, empty file at `path` open for writing; empty (errno set) on failure.
inline UniqueFd create_fresh(const std::string& path, mode_t mode) {
  const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
  UniqueFd fd(::open(path.c_str(), flags, mode));
  if (!fd && errno == EEXIST && ::unlink(path.c_str()) == 0) fd.reset(::open(path.c_str(), flags, mode));
  return fd;
}

}  // namespace asncounter
