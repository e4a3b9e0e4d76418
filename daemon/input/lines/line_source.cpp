// The line inputs (stdin, file:PATH, fifo:PATH): one thread each, reading
// in large chunks, splitting lines, parsing them and handing batches over;
// in the daemon, an input that falls behind also hands runs of lines to up
// to threads - 1 workers (daemon/input/lines/line_offload.hpp). --once takes the
// parallel path of daemon/input/lines/parallel_lines.hpp instead.
#include "daemon/input/lines/line_source.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <thread>

#include "daemon/input/fd_util.hpp"
#include "daemon/input/lines/fd_line_input.hpp"
#include "daemon/input/lines/file_follower.hpp"
#include "daemon/input/lines/line_format.hpp"
#include "daemon/input/lines/line_offload.hpp"
#include "daemon/input/lines/line_pump.hpp"
#include "daemon/input/lines/parallel_lines.hpp"
#include "daemon/input/lines/stream_reader.hpp"
#include "daemon/sys/log.hpp"

namespace asncounter {
namespace {

class LineInput final : public Input {
 public:
  // `fd` is the open stream for stdin, FIFOs and files read once; a
  // followed file (fd empty) is opened by the follower.
  // Parses on up to `threads` threads when behind (its own and workers).
  LineInput(std::string spec, std::string path, LineFormat format, UniqueFd fd, unsigned threads)
      : spec_(std::move(spec)),
        path_(std::move(path)),
        format_(std::move(format)),
        fd_(std::move(fd)),
        threads_(std::max(1U, threads)) {}
  ~LineInput() override { stop(); }

  bool ok() const { return waker_.ok(); }

  void start(BatchSink sink) override {
    // A followed file says "running" only once it is open (or "waiting").
    set_state({fd_ ? InputPhase::running : InputPhase::starting});
    thread_ = std::thread([this, sink = std::move(sink)]() mutable { run(std::move(sink)); });
  }

  void stop() override {
    waker_.wake();
    join();
  }

  void wait() override { join(); }

  const std::string& spec() const override { return spec_; }

  InputCounters counters() const override { return stats_.snapshot(state_mutex_, state_); }

 private:
  void run(BatchSink sink) {
    try {
      LineOffload offload(format_, sink, stats_, threads_ - 1, [this] { waker_.wake(); });
      LinePump pump(format_, std::move(sink), stats_);
      pump.set_offload(&offload);
      InputState end_state = read(pump);
      // The workers count what was handed to them before the input says
      // it ended; an error of theirs (the sink's) is the input's.
      if (auto error = offload.finish()) {
        log::get("input")->error("input {} stopped by an error: {}", spec_, *error);
        end_state = InputState::failed(*error);
      }
      set_state(end_state);
    } catch (const std::exception& e) {
      // The sink (the store) may throw, e.g. on memory exhaustion: the input
      // ends with its reason, the daemon goes on.
      log::get("input")->error("input {} stopped by an error: {}", spec_, e.what());
      set_state(InputState::failed(e.what()));
    }
  }

  // Reads to the end (or the stop request); the state the input ends in.
  InputState read(LinePump& pump) {
    if (!fd_) {
      follow_file(path_, true, waker_, pump, stats_, [this](const InputState& s) { set_state(s); });
      return {InputPhase::stopped};
    }
    auto end = read_stream(fd_.get(), waker_, pump);
    if (!end) {
      log::get("input")->warn("input {} failed: {}", spec_, end.error());
      return InputState::failed(end.error());
    }
    return {*end == ReadEnd::eof ? InputPhase::finished : InputPhase::stopped};
  }

  void join() {
    std::lock_guard lock(join_mutex_);
    if (thread_.joinable()) thread_.join();
  }

  void set_state(const InputState& s) {
    std::lock_guard lock(state_mutex_);
    state_ = s;
  }

  std::string spec_;
  std::string path_;
  LineFormat format_;
  UniqueFd fd_;
  unsigned threads_;
  Waker waker_;
  LineStats stats_;
  std::thread thread_;
  std::mutex join_mutex_;
  mutable std::mutex state_mutex_;
  InputState state_;
};

Result<std::unique_ptr<Input>> finish_input(std::string spec, std::string path, const InputOptions& options,
                                            UniqueFd fd) {
  if (fd && wants_parallel_lines(fd.get(), options))
    return make_parallel_line_input(std::move(fd), std::move(spec), options);
  auto format = LineFormat::parse(options.format);
  if (!format) return Error{spec + ": " + format.error()};
  auto input = std::make_unique<LineInput>(std::move(spec), std::move(path), std::move(*format),
                                           std::move(fd), options.threads);
  if (!input->ok()) return Error{input->spec() + ": eventfd: " + std::strerror(errno)};
  return std::unique_ptr<Input>(std::move(input));
}

constexpr int kFifoPipeSize = 1 << 20;

std::string errno_text(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

// Created with mode 0660 when missing (whatever the umask). Opened
// read-write in daemon mode: the daemon is then a writer itself, so the
// FIFO never reports end of file when the last writer leaves, and a writer
// that opens with O_NONBLOCK never finds it without a reader. In once mode
// it is opened read-only, and the input ends when the last writer closes.
// Never through a link, and checked and chmod-ed through the descriptor:
// what is at the path can change between the calls (mkfifo's EEXIST used to
// fall through to chmod(path) on whatever had been put there).
Result<UniqueFd> open_fifo(const std::string& path, bool once) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (S_ISLNK(st.st_mode)) return Error{path + " is a symbolic link, not a FIFO"};
    if (!S_ISFIFO(st.st_mode)) return Error{path + " exists and is not a FIFO"};
  } else if (errno != ENOENT) {
    return Error{errno_text("stat", path)};
  }
  bool created = ::mkfifo(path.c_str(), 0660) == 0;
  if (!created && errno != EEXIST) return Error{errno_text("mkfifo", path)};
  UniqueFd fd(::open(path.c_str(), (once ? O_RDONLY : O_RDWR) | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC));
  if (!fd && errno == ELOOP) return Error{path + " is a symbolic link, not a FIFO"};
  if (!fd) return Error{errno_text("open", path)};
  if (::fstat(fd.get(), &st) != 0 || !S_ISFIFO(st.st_mode)) return Error{path + " exists and is not a FIFO"};
  if (created) ::fchmod(fd.get(), 0660);
  // A larger pipe (best effort: pipe-max-size, 1 MiB by default, or the
  // user's pipe quota may refuse it): a busy writer blocks less often, and
  // each read takes a whole reader's chunk instead of 64 KiB, so fewer
  // reads and fewer hand-overs to the workers.
  ::fcntl(fd.get(), F_SETPIPE_SZ, kFifoPipeSize);
  return fd;
}

}  // namespace

Result<std::unique_ptr<Input>> make_fd_line_input(int fd, const std::string& spec,
                                                  const InputOptions& options) {
  return finish_input(spec, "", options, UniqueFd(fd));
}

Result<std::unique_ptr<Input>> make_line_input(LineSourceKind kind, const std::string& path,
                                               const std::string& spec, const InputOptions& options) {
  switch (kind) {
    case LineSourceKind::stdin_: {
      int fd = ::fcntl(0, F_DUPFD_CLOEXEC, 0);
      if (fd < 0) return Error{spec + ": " + errno_text("dup", "stdin")};
      return finish_input(spec, path, options, UniqueFd(fd));
    }
    case LineSourceKind::fifo: {
      if (path.empty()) return Error{spec + ": fifo: needs a path"};
      auto fd = open_fifo(path, options.once);
      if (!fd) return Error{spec + ": " + fd.error()};
      return finish_input(spec, path, options, std::move(*fd));
    }
    case LineSourceKind::file: {
      if (path.empty()) return Error{spec + ": file: needs a path"};
      if (!options.once) return finish_input(spec, path, options, UniqueFd());
      int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) return Error{spec + ": " + errno_text("open", path)};
      return finish_input(spec, path, options, UniqueFd(fd));
    }
  }
  return Error{spec + ": unknown line input"};
}

std::vector<std::string> check_line_input(LineSourceKind kind, const std::string& path,
                                          const std::string& spec) {
  if (kind == LineSourceKind::stdin_) return {};
  // The daemon makes the FIFO and waits for the file; their directory must be there.
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path dir = fs::path(path).parent_path();
  if (!dir.empty() && !fs::is_directory(dir, ec))
    return {spec + ": directory " + dir.string() + " does not exist"};
  if (kind == LineSourceKind::fifo && fs::exists(path, ec) && !fs::is_fifo(fs::symlink_status(path, ec)))
    return {spec + ": " + path + " exists and is not a FIFO"};
  return {};
}

}  // namespace asncounter
