#include "daemon/input/lines/file_follower.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>

#include "daemon/input/lines/line_splitter.hpp"

namespace asncounter {
namespace {

// Reads of one file per round, so that a huge file still lets the loop look
// at the stop request and the other file.
constexpr int kChunksPerRound = 64;

struct Followed {
  UniqueFd fd;
  dev_t dev{};
  ino_t ino{};
  off_t offset = 0;
  std::chrono::steady_clock::time_point last_data = std::chrono::steady_clock::now();
  std::unique_ptr<LineSplitter> splitter = std::make_unique<LineSplitter>();
};

struct OpenResult {
  std::optional<Followed> file;
  int err = 0;
};

OpenResult open_file(const std::string& path, bool at_end) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return {std::nullopt, errno};
  Followed f;
  f.fd = UniqueFd(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return {std::nullopt, errno};
  f.dev = st.st_dev;
  f.ino = st.st_ino;
  if (at_end) f.offset = ::lseek(fd, 0, SEEK_END);
  if (f.offset < 0) f.offset = 0;
  return {std::move(f), 0};
}

// Reads what the file has now; true when anything came.
bool read_some(Followed& f, LinePump& pump) {
  bool got = false;
  for (int i = 0; i < kChunksPerRound; ++i) {
    auto area = f.splitter->write_area();
    ssize_t n = ::read(f.fd.get(), area.data(), area.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    f.splitter->commit(static_cast<std::size_t>(n));
    f.offset += n;
    got = true;
    pump.drain(*f.splitter);
  }
  return got;
}

// Truncated in place (copytruncate): what is left unread is gone; start over.
bool check_truncated(Followed& f, LinePump& pump, LineStats& stats) {
  struct stat st {};
  if (::fstat(f.fd.get(), &st) != 0 || st.st_size >= f.offset) return false;
  pump.finish(*f.splitter);
  f.splitter->reset();
  ::lseek(f.fd.get(), 0, SEEK_SET);
  f.offset = 0;
  stats.reopens.fetch_add(1, std::memory_order_relaxed);
  return true;
}

// The path now names another file, or none: the one we hold was rotated.
bool path_moved(const Followed& f, const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return errno == ENOENT;
  return st.st_dev != f.dev || st.st_ino != f.ino;
}

}  // namespace

void follow_file(const std::string& path, bool start_at_end, const Waker& waker, LinePump& pump,
                 LineStats& stats, const std::function<void(const InputState&)>& set_state) {
  std::optional<Followed> cur, old;
  bool first_open = true;
  InputState state;
  auto state_is = [&](const InputState& s) {
    if (s != state) set_state(state = s);
  };
  while (!waker.stopped()) {
    bool got = false;
    if (old) {
      auto now = std::chrono::steady_clock::now();
      if (read_some(*old, pump)) {
        old->last_data = now;
        got = true;
      } else if (now - old->last_data >= std::chrono::milliseconds(kRotatedGraceMs)) {
        pump.finish(*old->splitter);
        old.reset();
      }
    }
    if (!cur) {
      OpenResult r = open_file(path, first_open && start_at_end);
      first_open = false;
      if (r.file) {
        cur = std::move(r.file);
        state_is({InputPhase::running});
      } else {
        state_is(r.err == ENOENT ? InputState{InputPhase::waiting}
                                 : InputState::failed("open " + path + ": " + std::strerror(r.err)));
      }
    }
    if (cur) {
      got |= read_some(*cur, pump);
      got |= check_truncated(*cur, pump, stats);
      if (path_moved(*cur, path)) {
        read_some(*cur, pump);
        if (old) pump.finish(*old->splitter);
        old = std::move(cur);
        old->last_data = std::chrono::steady_clock::now();
        cur.reset();
        stats.reopens.fetch_add(1, std::memory_order_relaxed);
        got = true;
      }
    }
    if (got) {
      pump.flush_if_stale();
      continue;
    }
    pump.flush();
    if (wait_readable(-1, waker, kFollowPollMs) == WaitResult::stopped) break;
  }
  pump.flush();
}

}  // namespace asncounter
