#pragma once
// Extra parsing threads for one busy daemon line input (FIFO, followed
// file, stdin). The input's own thread reads and parses as it always has;
// when it finds a backlog (kBusyStreak reads in a row each left at least
// kBusyBytes waiting: a full pipe, a file far behind its writer) it takes
// the run of whole lines it holds, copies pieces of it (whole lines, at most
// kChunkBytes) into free chunks and queues them for the workers, parses a
// piece itself in one pass (parse_lines, faster than line by line through
// the splitter; also what it does with --threads 1), and so on until the
// run is done: a worker that finished its chunks meanwhile gets more.
// Workers start the first time that happens, so an idle or lightly loaded
// input keeps one thread, without wake-ups or added latency. The queue is
// bounded (2 chunks per worker): with none free the reader parses, reads no
// more meanwhile, the pipe fills and its writer waits (the back-pressure of
// the one-thread reader), and memory stays at 2 x kChunkBytes per worker.
// Each worker counts into its own LinePump (the store's shard is per
// thread) and flushes at the end of every chunk, so nothing waits in a
// worker's partial batch. Counts are exact: parse_lines() has the splitter's line rules, and
// the counters are shared atomics (tests/unit/test_parallel_lines.cpp).

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "daemon/input/lines/line_format.hpp"
#include "daemon/input/lines/line_pump.hpp"
#include "daemon/store/event_batch.hpp"

namespace asncounter {

class LineOffload {
 public:
  /// A read that leaves this much buffered finds a backlog: half a default
  /// pipe (64 KiB), far more than a lightly loaded input gathers between reads.
  static constexpr std::size_t kBusyBytes = 32 * 1024;
  /// Backlogged reads in a row before runs go to workers: one burst is
  /// parsed on the input's own thread.
  static constexpr unsigned kBusyStreak = 2;
  /// The most a chunk holds: small enough that the queued chunks weigh
  /// little next to the store (RSS at full load), big enough that a hand-over
  /// (a copy, a lock, a wake-up) costs little next to parsing its ~4,500 lines.
  static constexpr std::size_t kChunkBytes = 64 * 1024;
  /// Chunks per worker: one being parsed, one waiting.
  static constexpr std::size_t kChunksPerWorker = 2;

  /// Up to `workers` threads (started on first use) parse with `format`
  /// into `sink`, counting into `stats`; `on_error` runs (on a worker) when
  /// the sink throws, e.g. to stop the input.
  LineOffload(const LineFormat& format, BatchSink sink, LineStats& stats, unsigned workers,
              std::function<void()> on_error);
  ~LineOffload() { finish(); }
  LineOffload(const LineOffload&) = delete;
  LineOffload& operator=(const LineOffload&) = delete;

  /// Records how much one read left buffered; true when the input is behind
  /// (with or without workers).
  bool busy(std::size_t buffered);
  /// The length of the first piece of `run` (whole lines, each with its
  /// newline): its lines within kChunkBytes, or its first line if longer.
  static std::size_t piece(std::string_view run);
  /// Queues copies of pieces of `run` while chunks are free; returns the
  /// rest, for the caller to parse a piece of before it tries again.
  std::string_view dispatch(std::string_view run);
  /// Lets the workers count what is queued, then joins them; the first
  /// error a worker met, if any. Called once the reader is done.
  std::optional<std::string> finish();

 private:
  void start_workers();
  void run_worker();

  const LineFormat& format_;
  BatchSink sink_;
  LineStats& stats_;
  unsigned workers_;
  std::function<void()> on_error_;
  unsigned streak_ = 0;  // the reader's alone

  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::vector<char>> queue_;  // runs to parse
  std::vector<std::vector<char>> free_;  // spare chunk buffers
  std::size_t chunks_ = 0;               // buffers made so far (bounded)
  bool closed_ = false;
  std::optional<std::string> error_;
  std::vector<std::thread> threads_;
};

}  // namespace asncounter
