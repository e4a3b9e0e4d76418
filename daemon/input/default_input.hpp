#pragma once
// The daemon with no --input: `tcpdump -n -q | asncounterd --input-format
// tcpdump` reads its stdin, as --once does, when stdin is a pipe, a file or a
// socket. A terminal or /dev/null (systemd's default) is not read: the daemon
// then counts nothing and says how to give it an input.

#include <cstdint>
#include <string>
#include <vector>

namespace asncounter {

/// What the daemon's standard input is, for this choice.
enum class StdinKind : std::uint8_t {
  data,      ///< a pipe, FIFO, regular file or socket: read it
  terminal,  ///< a terminal: not read (nobody types addresses into a daemon)
  none,      ///< closed, /dev/null or another device: nothing to read
};

/// The kind of `fd` (the daemon passes 0).
StdinKind stdin_kind(int fd);

/// The input specs the daemon starts: `configured` (--input), or {"-"} when
/// it is empty and stdin is data.
std::vector<std::string> daemon_inputs(const std::vector<std::string>& configured, StdinKind stdin_is);

/// The warning logged when the daemon starts with no input at all ("" when it has one).
std::string no_input_warning(const std::vector<std::string>& inputs, StdinKind stdin_is);

}  // namespace asncounter
