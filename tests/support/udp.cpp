#include "tests/support/udp.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

namespace asncounter::test {
namespace {

// Loopback of `v6`'s family at `port`, and its length.
socklen_t loopback(bool v6, std::uint16_t port, sockaddr_storage& ss) {
  ss = sockaddr_storage{};
  if (v6) {
    auto& in6 = reinterpret_cast<sockaddr_in6&>(ss);
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(port);
    in6.sin6_addr = in6addr_loopback;
    return sizeof in6;
  }
  auto& in = reinterpret_cast<sockaddr_in&>(ss);
  in.sin_family = AF_INET;
  in.sin_port = htons(port);
  in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return sizeof in;
}

}  // namespace

std::uint16_t free_udp_port() {
  const UdpSender probe;
  return probe.ok() ? probe.port() : 0;
}

UdpSender::UdpSender(bool v6, std::uint16_t source_port) : v6_(v6) {
  UniqueFd fd(::socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd) return;
  sockaddr_storage ss;
  socklen_t len = loopback(v6, source_port, ss);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&ss), len) != 0) return;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&ss), &len) != 0) return;
  port_ = ntohs(v6 ? reinterpret_cast<const sockaddr_in6&>(ss).sin6_port
                   : reinterpret_cast<const sockaddr_in&>(ss).sin_port);
  fd_ = std::move(fd);
}

bool UdpSender::send(std::uint16_t port, std::span<const std::uint8_t> payload) const {
  sockaddr_storage ss;
  const socklen_t len = loopback(v6_, port, ss);
  return ::sendto(fd_.get(), payload.data(), payload.size(), 0, reinterpret_cast<const sockaddr*>(&ss),
                  len) == static_cast<ssize_t>(payload.size());
}

bool send_udp(bool v6, std::uint16_t port, std::span<const std::uint8_t> payload) {
  const UdpSender sender(v6);
  return sender.ok() && sender.send(port, payload);
}

}  // namespace asncounter::test
