#pragma once
// Raw clients of the control socket, for tests that must do what the real
// client never does: pipeline, stop reading, read a byte at a time.

#include <filesystem>
#include <string>
#include <vector>

namespace asncounter::test {

/// A connected Unix stream socket to `socket` (close it), or -1.
int connect_unix(const std::filesystem::path& socket);
/// Reads answer lines from `fd` until `lines` have come or the peer closes,
/// `chunk` bytes per read (at most 64 KiB).
std::vector<std::string> read_lines(int fd, int lines, std::size_t chunk = 65536);

}  // namespace asncounter::test
