#include "daemon/sys/private_dir.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

namespace asncounter {

namespace {

std::string octal(mode_t m) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(m & 07777));
  return buf;
}

}  // namespace

Result<void> prepare_private_dir(const std::string& dir, const std::string& what,
                                 std::optional<gid_t> group) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    fs::create_directories(dir, ec);
    if (ec) return Error{"cannot create " + what + " " + dir + ": " + ec.message()};
    if (chmod(dir.c_str(), 0750) != 0) return Error{"cannot chmod " + what + " " + dir};
    if (group && chown(dir.c_str(), static_cast<uid_t>(-1), *group) != 0) {
      return Error{"cannot give " + what + " " + dir + " its group"};
    }
  }
  return check_private_dir(dir, what);
}

Result<void> check_private_dir(const std::string& dir, const std::string& what) {
  struct stat st {};
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return Error{what + " " + dir + " is not a directory"};
  // As chrony's CNF_CreateDirs: the directory is what keeps strangers away from
  // the files in it (and from swapping them), so it must be closed to others.
  if (st.st_mode & (S_IXOTH | S_IWOTH)) {
    return Error{what + " " + dir + " can be entered by others (mode " + octal(st.st_mode) +
                 "); make it 0750 or 0700"};
  }
  if (st.st_uid != geteuid() && st.st_uid != 0) {
    return Error{what + " " + dir + " belongs to uid " + std::to_string(st.st_uid) +
                 ", neither root nor the daemon's user"};
  }
  return {};
}

}  // namespace asncounter
