#include "daemon/input/lines/parallel_lines.hpp"

#include <sched.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "daemon/input/fd_util.hpp"
#include "daemon/input/lines/line_chunk.hpp"
#include "daemon/input/lines/line_format.hpp"
#include "daemon/input/lines/line_pump.hpp"
#include "daemon/input/lines/line_splitter.hpp"
#include "daemon/sys/log.hpp"

namespace asncounter {
namespace {

constexpr std::size_t kMaxLine = LineSplitter::kMaxLine;
// A file piece: big enough that the pread and the piece's first partial
// line cost nothing next to parsing it (about 70k address lines), small
// enough that the workers finish together.
constexpr std::size_t kPiece = std::size_t{1} << 20;
// A stream chunk is handed over once this full; it holds more than a
// maximal line, so a chunk without a newline is an oversized line.
constexpr std::size_t kStreamChunk = std::size_t{1} << 20;
static_assert(kStreamChunk > 2 * kMaxLine);

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

/// Reads up to `n` bytes at `offset`; fewer only at end of file.
Result<std::size_t> pread_full(int fd, char* buf, std::size_t n, off_t offset) {
  std::size_t got = 0;
  while (got < n) {
    ssize_t r = ::pread(fd, buf + got, n - got, offset + static_cast<off_t>(got));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return Error{errno_text("pread")};
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  return got;
}

class ParallelLineInput final : public Input {
 public:
  ParallelLineInput(std::string spec, LineFormat format, UniqueFd fd, unsigned threads)
      : spec_(std::move(spec)), format_(std::move(format)), fd_(std::move(fd)), threads_(threads) {}
  ~ParallelLineInput() override { stop(); }

  bool ok() const { return waker_.ok(); }

  void start(BatchSink sink) override {
    set_state({InputPhase::running});
    sink_ = std::move(sink);
    struct stat st {};
    file_ = ::fstat(fd_.get(), &st) == 0 && S_ISREG(st.st_mode);
    if (file_) {
      // From where the descriptor stands (stdin redirected from a file may
      // have been read from already) to the size the file has now.
      off_t at = ::lseek(fd_.get(), 0, SEEK_CUR);
      begin_ = at > 0 ? at : 0;
      end_ = std::max<off_t>(begin_, st.st_size);
      pieces_ = (static_cast<std::size_t>(end_ - begin_) + kPiece - 1) / kPiece;
    } else {
      unmade_ = 2 * threads_;  // made when first needed: a short input fills one
    }
    running_ = threads_ + (file_ ? 0 : 1);
    for (unsigned i = 0; i < threads_; ++i) threads_list_.emplace_back([this] { run_worker(); });
    if (!file_) threads_list_.emplace_back([this] { run_reader(); });
  }

  // A stream's reader hands over what it has read and closes the queue;
  // the workers count what is queued, then end.
  void stop() override {
    waker_.wake();
    free_cv_.notify_all();
    join();
  }

  void wait() override { join(); }

  const std::string& spec() const override { return spec_; }

  InputCounters counters() const override { return stats_.snapshot(state_mutex_, state_); }

 private:
  /// A chunk of whole lines from the stream; the last may lack its newline when `last`.
  struct Chunk {
    std::vector<char> buf;
    std::size_t size = 0;
    bool last = false;
  };

  void run_worker() {
    try {
      LinePump pump(format_, sink_, stats_);
      if (file_) {
        std::vector<char> buf(kPiece + kMaxLine + 2);
        while (!waker_.stopped()) {
          std::size_t k = next_piece_.fetch_add(1, std::memory_order_relaxed);
          if (k >= pieces_) break;
          if (!parse_piece(k, buf, pump)) break;
          pump.flush();
        }
      } else {
        while (auto chunk = take_chunk()) {
          const char* b = chunk->buf.data();
          parse_lines(b, b + chunk->size, b + chunk->size, chunk->last, pump);
          pump.flush();
          give_back(std::move(chunk->buf));
        }
      }
      pump.flush();
    } catch (const std::exception& e) {
      // The sink (the store) may throw, e.g. on memory exhaustion.
      fail(std::string("stopped by an error: ") + e.what());
    }
    thread_done(true);
  }

  // Piece k owns the lines that start in [begin_ + k * kPiece, + kPiece):
  // a line starts at the piece's first byte when the byte before it is a
  // newline. It reads one byte before and up to kMaxLine + 1 bytes after,
  // enough to finish its last line or to know that it is over the limit.
  bool parse_piece(std::size_t k, std::vector<char>& buf, LinePump& pump) {
    const off_t start = begin_ + static_cast<off_t>(k * kPiece);
    const off_t own_end = std::min<off_t>(end_, start + static_cast<off_t>(kPiece));
    const off_t from = k == 0 ? start : start - 1;
    const auto want =
        static_cast<std::size_t>(std::min<off_t>(end_, own_end + static_cast<off_t>(kMaxLine) + 1) - from);
    auto got = pread_full(fd_.get(), buf.data(), want, from);
    if (!got) {
      fail(got.error());
      return false;
    }
    const char* data = buf.data();
    const char* data_end = data + *got;
    const char* owned = std::min(data + (own_end - from), data_end);  // a shrunk file ends early
    const char* first = data;
    if (k != 0) {
      // Skip the tail of the line the piece before owns.
      const auto* nl = static_cast<const char*>(
          std::memchr(data, '\n', static_cast<std::size_t>(std::max<std::ptrdiff_t>(0, owned - data - 1))));
      if (!nl) return true;
      first = nl + 1;
    }
    parse_lines(first, owned, data_end, *got < want || from + static_cast<off_t>(*got) >= end_, pump);
    return true;
  }

  void run_reader() {
    try {
      read_stream_chunks();
    } catch (const std::exception& e) {
      fail(std::string("stopped by an error: ") + e.what());
    }
    {
      std::lock_guard lock(queue_mutex_);
      closed_ = true;
    }
    work_cv_.notify_all();
    thread_done(false);
  }

  // Reads into a chunk until it is half full or the stream has nothing more
  // for now, then hands over its whole lines and carries the partial last
  // line into the next chunk. A line that fills a whole chunk is over the
  // limit: it is dropped as it streams past and counted once, when its
  // newline comes or at the end.
  void read_stream_chunks() {
    std::vector<char> buf = take_free();
    std::size_t size = 0;
    bool discarding = false;
    bool fresh = false;  // read since the last hand-over
    while (!buf.empty()) {
      WaitResult w = wait_readable(fd_.get(), waker_, fresh ? 0 : -1);
      if (w == WaitResult::stopped) {
        // What was read is counted, as the one-thread reader does; the
        // partial last line is not (the input did not end).
        hand_over(buf, size, false);
        return;
      }
      if (w == WaitResult::timeout) {
        // Nothing more for now: a slow writer's lines are counted promptly.
        fresh = false;
        hand_over(buf, size, false);
        continue;
      }
      ssize_t n = ::read(fd_.get(), buf.data() + size, buf.size() - size);
      if (n < 0) {
        if (errno == EINTR || errno == EAGAIN) continue;
        std::string why = errno_text("read");
        hand_over(buf, size, false);
        fail(why);
        return;
      }
      if (n == 0) {
        if (discarding) count_oversized(1);
        hand_over(buf, size, true);
        return;
      }
      fresh = true;
      const auto got = static_cast<std::size_t>(n);
      if (discarding) {
        const auto* nl = static_cast<const char*>(std::memchr(buf.data(), '\n', got));
        if (!nl) continue;  // size stays 0: the bytes are dropped
        count_oversized(1);
        discarding = false;
        size = static_cast<std::size_t>(buf.data() + got - (nl + 1));
        std::memmove(buf.data(), nl + 1, size);
        continue;
      }
      size += got;
      if (size == buf.size() && !::memrchr(buf.data(), '\n', size)) {
        discarding = true;
        size = 0;
      } else if (size >= buf.size() / 2) {
        hand_over(buf, size, false);
      }
    }
  }

  // Queues the whole lines of buf[0, size) (all of it when `last`) and
  // leaves buf a fresh chunk holding the partial last line.
  void hand_over(std::vector<char>& buf, std::size_t& size, bool last) {
    std::size_t whole = size;
    if (!last) {
      const auto* nl = static_cast<const char*>(::memrchr(buf.data(), '\n', size));
      whole = nl ? static_cast<std::size_t>(nl - buf.data()) + 1 : 0;
    }
    if (whole == 0 && !last) return;
    std::vector<char> next;
    if (!last) {
      next = take_free();
      if (next.empty()) {
        size = 0;
        buf.clear();
        return;
      }
      std::memcpy(next.data(), buf.data() + whole, size - whole);
    }
    {
      std::lock_guard lock(queue_mutex_);
      queue_.push_back(Chunk{std::move(buf), whole, last});
    }
    work_cv_.notify_one();
    size = last ? 0 : size - whole;
    buf = std::move(next);
  }

  // A free chunk buffer; empty when stopping and none comes back.
  std::vector<char> take_free() {
    std::unique_lock lock(queue_mutex_);
    free_cv_.wait(lock, [this] { return !free_.empty() || unmade_ > 0 || workers_gone_; });
    if (free_.empty() && unmade_ > 0 && !workers_gone_) {
      --unmade_;
      lock.unlock();
      return std::vector<char>(kStreamChunk);
    }
    if (free_.empty()) return {};
    std::vector<char> b = std::move(free_.back());
    free_.pop_back();
    return b;
  }

  std::optional<Chunk> take_chunk() {
    std::unique_lock lock(queue_mutex_);
    work_cv_.wait(lock, [this] { return !queue_.empty() || closed_; });
    if (queue_.empty()) return std::nullopt;
    Chunk c = std::move(queue_.front());
    queue_.pop_front();
    return c;
  }

  void give_back(std::vector<char> buf) {
    buf.resize(kStreamChunk);
    {
      std::lock_guard lock(queue_mutex_);
      free_.push_back(std::move(buf));
    }
    free_cv_.notify_one();
  }

  void count_oversized(std::uint64_t n) {
    stats_.oversized.fetch_add(n, std::memory_order_relaxed);
    stats_.rejected.fetch_add(n, std::memory_order_relaxed);
  }

  void fail(const std::string& why) {
    log::get("input")->warn("input {} failed: {}", spec_, why);
    {
      std::lock_guard lock(state_mutex_);
      if (!error_) error_ = why;
    }
    waker_.wake();
    free_cv_.notify_all();
  }

  // The last thread to end sets the input's end state, as the one-thread
  // input does when its reader returns. A worker that ends lets a reader
  // waiting for a free chunk give up once no worker is left.
  void thread_done(bool worker) {
    if (worker) {
      std::lock_guard lock(queue_mutex_);
      if (++workers_ended_ == threads_) workers_gone_ = true;
    }
    free_cv_.notify_all();
    if (running_.fetch_sub(1) != 1) return;
    std::lock_guard lock(state_mutex_);
    if (error_)
      state_ = InputState::failed(*error_);
    else
      state_ = waker_.stopped() ? InputPhase::stopped : InputPhase::finished;
  }

  void join() {
    std::lock_guard lock(join_mutex_);
    for (auto& t : threads_list_)
      if (t.joinable()) t.join();
  }

  void set_state(const InputState& s) {
    std::lock_guard lock(state_mutex_);
    state_ = s;
  }

  std::string spec_;
  LineFormat format_;
  UniqueFd fd_;
  unsigned threads_;
  BatchSink sink_;
  Waker waker_;
  LineStats stats_;

  bool file_ = false;
  off_t begin_ = 0, end_ = 0;
  std::size_t pieces_ = 0;
  std::atomic<std::size_t> next_piece_{0};

  std::mutex queue_mutex_;
  std::condition_variable work_cv_, free_cv_;
  std::deque<Chunk> queue_;
  std::vector<std::vector<char>> free_;
  unsigned unmade_ = 0;  // chunk buffers not made yet, of the 2 per worker a stream may have
  bool closed_ = false;
  unsigned workers_ended_ = 0;
  bool workers_gone_ = false;

  std::atomic<unsigned> running_{0};
  std::vector<std::thread> threads_list_;
  std::mutex join_mutex_;
  mutable std::mutex state_mutex_;
  InputState state_;
  std::optional<std::string> error_;
};

}  // namespace

unsigned available_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0) return static_cast<unsigned>(n);
  }
  return std::max(1U, std::thread::hardware_concurrency());
}

bool wants_parallel_lines(int fd, const InputOptions& options) {
  if (!options.once) return false;
  if (options.threads > 1) return true;
  struct stat st {};
  return ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

Result<std::unique_ptr<Input>> make_parallel_line_input(UniqueFd fd, std::string spec,
                                                        const InputOptions& options) {
  auto format = LineFormat::parse(options.format);
  if (!format) return Error{spec + ": " + format.error()};
  auto input = std::make_unique<ParallelLineInput>(std::move(spec), std::move(*format), std::move(fd),
                                                   std::max(1U, options.threads));
  if (!input->ok()) return Error{input->spec() + ": eventfd: " + std::strerror(errno)};
  return std::unique_ptr<Input>(std::move(input));
}

}  // namespace asncounter
