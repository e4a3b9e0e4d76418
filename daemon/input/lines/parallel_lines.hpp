#pragma once
// Line inputs read once (--once) on several threads (--threads). A regular
// file is cut into pieces at line boundaries that the workers read with
// pread() and parse on their own; a stream (stdin, a FIFO) gets one reader
// that hands chunks of whole lines to the workers. Each worker fills its own
// batches and hands them to the sink from its own thread, so the sink must
// be thread-safe: CounterStore::add is, and a store's shard is picked per
// thread, so the workers count into different shards. Counts are exact
// whatever the thread count: events, rejected and oversized lines, bytes,
// latencies (tests/unit/test_parallel_lines.cpp).

#include <memory>
#include <string>

#include "common/unique_fd.hpp"
#include "daemon/input/input.hpp"

namespace asncounter {

/// What --threads 0 means: the CPUs this process may run on (sched_getaffinity).
unsigned available_cores();

/// True when a line input on `fd` takes the parallel path: in once mode,
/// a regular file (even on one thread: its one-pass reader is the faster),
/// or any stream when more than one thread is asked for.
bool wants_parallel_lines(int fd, const InputOptions& options);

/// A line input reading `fd` (taken over) to its end on options.threads
/// workers with options.format; `spec` names it in counters and errors.
Result<std::unique_ptr<Input>> make_parallel_line_input(UniqueFd fd, std::string spec,
                                                        const InputOptions& options);

}  // namespace asncounter
