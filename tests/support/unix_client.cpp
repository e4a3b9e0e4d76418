#include "tests/support/unix_client.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace asncounter::test {

int connect_unix(const std::filesystem::path& socket) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, socket.c_str(), sizeof addr.sun_path - 1);
  if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return fd;
  if (fd >= 0) ::close(fd);
  return -1;
}

std::vector<std::string> read_lines(int fd, int lines, std::size_t chunk) {
  std::vector<std::string> out;
  std::string buf;
  std::array<char, 65536> block{};
  chunk = std::min(chunk, block.size());
  while (static_cast<int>(out.size()) < lines) {
    ssize_t n = ::read(fd, block.data(), chunk);
    if (n <= 0) break;
    buf.append(block.data(), static_cast<std::size_t>(n));
    std::size_t start = 0;
    for (auto nl = buf.find('\n'); nl != std::string::npos; nl = buf.find('\n', start)) {
      out.push_back(buf.substr(start, nl - start));
      start = nl + 1;
    }
    buf.erase(0, start);
  }
  return out;
}

}  // namespace asncounter::test
