#include "daemon/input/lines/stream_reader.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "daemon/input/lines/line_splitter.hpp"

namespace asncounter {

Result<ReadEnd> read_stream(int fd, const Waker& waker, LinePump& pump) {
  LineSplitter splitter;
  for (;;) {
    WaitResult w = wait_readable(fd, waker, pump.pending() ? kIdleFlushMs : -1);
    if (w == WaitResult::stopped) {
      pump.drain(splitter);
      pump.flush();
      return ReadEnd::stopped;
    }
    if (w == WaitResult::timeout) {
      pump.flush();
      continue;
    }
    auto area = splitter.write_area();
    ssize_t n = ::read(fd, area.data(), area.size());
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      int err = errno;
      pump.flush();
      return Error{std::string("read: ") + std::strerror(err)};
    }
    if (n == 0) {
      pump.finish(splitter);
      pump.flush();
      return ReadEnd::eof;
    }
    splitter.commit(static_cast<std::size_t>(n));
    pump.drain(splitter);
    pump.flush_if_stale();
  }
}

}  // namespace asncounter
