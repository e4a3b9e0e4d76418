#include "tests/support/held_port.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <utility>

namespace asncounter::test {

HeldPort hold_loopback_port(int type) {
  HeldPort held;
  UniqueFd fd(::socket(AF_INET, type | SOCK_CLOEXEC, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (!fd || ::bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      (type == SOCK_STREAM && ::listen(fd.get(), 1) != 0) ||
      ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&a), &len) != 0)
    return held;
  held.fd = std::move(fd);
  held.port = ntohs(a.sin_port);
  return held;
}

}  // namespace asncounter::test
