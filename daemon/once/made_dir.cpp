#include "daemon/once/made_dir.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "daemon/sys/private_dir.hpp"

namespace asncounter {

namespace fs = std::filesystem;

Result<MadeDir> MadeDir::make(const std::string& dir, const std::string& what) {
  MadeDir out;
  std::error_code ec;
  fs::path p = fs::absolute(dir, ec);
  if (ec) return Error{"cannot make " + what + " " + dir + ": " + ec.message()};
  std::vector<fs::path> missing;  // innermost first
  for (fs::path up = p; !up.empty() && !fs::exists(up, ec); up = up.parent_path()) {
    missing.push_back(up);
    if (up == up.parent_path()) break;
  }
  // A user's own cache is closed to everyone else; root's keeps the
  // daemon's 0750, so a socket group may read the names beside it.
  const mode_t mode = ::geteuid() == 0 ? 0750 : 0700;
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), mode) != 0 && errno != EEXIST)
      return Error{"cannot make " + what + " " + dir + ": " + it->string() + ": " + std::strerror(errno)};
    ::chmod(it->c_str(), mode);  // whatever the umask took away from the owner
    out.made_.push_back(*it);
  }
  if (auto ok = check_private_dir(dir, what); !ok) return Error{ok.error()};
  return out;
}

MadeDir& MadeDir::operator=(MadeDir&& other) noexcept {
  if (this != &other) {
    remove_if_empty();
    made_ = std::move(other.made_);
    other.made_.clear();
  }
  return *this;
}

void MadeDir::remove_if_empty() noexcept {
  // rmdir(2) removes only an empty directory: what was written stays.
  while (!made_.empty() && ::rmdir(made_.back().c_str()) == 0) made_.pop_back();
  made_.clear();
}

}  // namespace asncounter
