#include "daemon/input/lines/line_offload.hpp"

#include <cstring>
#include <exception>
#include <utility>

#include "daemon/input/lines/line_chunk.hpp"

namespace asncounter {

LineOffload::LineOffload(const LineFormat& format, BatchSink sink, LineStats& stats, unsigned workers,
                         std::function<void()> on_error)
    : format_(format),
      sink_(std::move(sink)),
      stats_(stats),
      workers_(workers),
      on_error_(std::move(on_error)) {}

bool LineOffload::busy(std::size_t buffered) {
  streak_ = buffered >= kBusyBytes ? streak_ + 1 : 0;
  // Behind even without workers (--threads 1): the caller then parses the
  // run itself in one pass, which is faster than line by line.
  return streak_ >= kBusyStreak;
}

std::size_t LineOffload::piece(std::string_view run) {
  if (run.size() <= kChunkBytes) return run.size();
  const auto* nl = static_cast<const char*>(::memrchr(run.data(), '\n', kChunkBytes));
  if (!nl) nl = static_cast<const char*>(std::memchr(run.data(), '\n', run.size()));
  return nl ? static_cast<std::size_t>(nl - run.data()) + 1 : run.size();
}

std::string_view LineOffload::dispatch(std::string_view run) {
  if (workers_ == 0) return run;
  while (!run.empty()) {
    // A first line longer than a chunk (over the line limit anyway) is the
    // caller's.
    const std::size_t n = piece(run);
    if (n > kChunkBytes) return run;
    std::vector<char> buf;
    {
      std::lock_guard lock(mutex_);
      if (error_ || closed_) return run;
      if (!free_.empty()) {
        buf = std::move(free_.back());
        free_.pop_back();
      } else if (chunks_ < kChunksPerWorker * workers_) {
        ++chunks_;
        buf.reserve(kChunkBytes);
      } else {
        return run;  // every chunk is queued or being parsed
      }
    }
    // Only the reader dispatches and finishes, so threads_ needs no lock.
    if (threads_.empty()) start_workers();
    buf.assign(run.data(), run.data() + n);
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(std::move(buf));
    }
    cv_.notify_one();
    run.remove_prefix(n);
  }
  return run;
}

std::optional<std::string> LineOffload::finish() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
  std::lock_guard lock(mutex_);
  return error_;
}

void LineOffload::start_workers() {
  threads_.reserve(workers_);
  for (unsigned i = 0; i < workers_; ++i) threads_.emplace_back([this] { run_worker(); });
}

void LineOffload::run_worker() {
  try {
    LinePump pump(format_, sink_, stats_);
    for (;;) {
      std::vector<char> run;
      {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [this] { return !queue_.empty() || closed_; });
        if (queue_.empty()) return;
        run = std::move(queue_.front());
        queue_.pop_front();
      }
      const char* end = run.data() + run.size();
      parse_lines(run.data(), end, end, false, pump);
      pump.flush();
      std::lock_guard lock(mutex_);
      free_.push_back(std::move(run));
    }
  } catch (const std::exception& e) {
    // The sink (the store) may throw, e.g. on memory exhaustion: the input
    // fails with the reason, as when its own thread meets it.
    {
      std::lock_guard lock(mutex_);
      if (!error_) error_ = e.what();
    }
    on_error_();
  }
}

}  // namespace asncounter
