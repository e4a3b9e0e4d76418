#pragma once
// Reads one descriptor (stdin, a FIFO, a file read once) to its end.

#include "common/result.hpp"
#include "daemon/input/fd_util.hpp"
#include "daemon/input/lines/line_pump.hpp"

namespace asncounter {

enum class ReadEnd { eof, stopped };

/// A partial batch goes out after this long without data, so counts show up promptly.
inline constexpr int kIdleFlushMs = 50;

/// Reads `fd` until end of file or until `waker` fires, feeding `pump`; the
/// partial batch is flushed on idle, at the end and on stop.
Result<ReadEnd> read_stream(int fd, const Waker& waker, LinePump& pump);

}  // namespace asncounter
