#include "daemon/sys/durable_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include "common/create_fresh.hpp"

namespace asncounter {

namespace {
constexpr std::size_t kBuffer = std::size_t{1} << 20;
}  // namespace

DurableFile::DurableFile(std::string path, unsigned mode) : path_(std::move(path)), tmp_(path_ + ".tmp") {
  fd_ = create_fresh(tmp_, static_cast<mode_t>(mode));
  if (!fd_) fail(tmp_ + ": cannot create", errno);
  buffer_.reserve(kBuffer);
}

DurableFile::~DurableFile() {
  if (!committed_ && fd_) {
    fd_.reset();
    ::unlink(tmp_.c_str());
  }
}

void DurableFile::fail(const std::string& what, int err) {
  if (error_.empty()) error_ = what + ": " + std::strerror(err);
}

void DurableFile::write(std::string_view bytes) {
  if (!ok()) return;
  if (buffer_.size() + bytes.size() > kBuffer) flush();
  if (bytes.size() >= kBuffer)
    put(bytes);  // large pieces go straight out, uncopied
  else
    buffer_.append(bytes);
}

void DurableFile::flush() {
  put(buffer_);
  buffer_.clear();
}

void DurableFile::put(std::string_view data) {
  while (ok() && !data.empty()) {
    ssize_t n = ::write(fd_.get(), data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      fail(tmp_ + ": cannot write", n < 0 ? errno : EIO);
      break;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
    written_ += static_cast<std::size_t>(n);
  }
}

Result<void> DurableFile::commit() {
  flush();
  if (ok() && ::fsync(fd_.get()) != 0) fail(tmp_ + ": cannot sync", errno);
  if (ok() && !fd_.close()) fail(tmp_ + ": cannot close", errno);
  if (ok() && ::rename(tmp_.c_str(), path_.c_str()) != 0) fail(path_ + ": cannot replace", errno);
  if (!ok()) {
    fd_.reset();
    ::unlink(tmp_.c_str());
    return Error{error_};
  }
  committed_ = true;
  // The rename itself is durable only once the directory is synced.
  const auto dir = std::filesystem::path(path_).parent_path();
  const UniqueFd d(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (d) ::fsync(d.get());
  return {};
}

}  // namespace asncounter
