#pragma once
// UDP on loopback for the flow tests: a free port, a datagram sent from a
// fresh socket, and a sender bound to one source port (an exporter whose
// datagrams all come from the same address and port, as routers' do).

#include <cstdint>
#include <span>
#include <vector>

#include "common/unique_fd.hpp"

namespace asncounter::test {

/// A UDP port free on 127.0.0.1 right now; 0 when none could be had.
std::uint16_t free_udp_port();

/// A socket bound to loopback (127.0.0.1 or ::1) at a port of its own.
class UdpSender {
 public:
  /// Binds to `source_port` (0: any); check ok().
  explicit UdpSender(bool v6 = false, std::uint16_t source_port = 0);
  bool ok() const { return static_cast<bool>(fd_); }
  /// The source port the datagrams carry.
  std::uint16_t port() const { return port_; }
  /// Sends one datagram to loopback at `port`; false when it was not sent whole.
  bool send(std::uint16_t port, std::span<const std::uint8_t> payload) const;

 private:
  bool v6_;
  UniqueFd fd_;
  std::uint16_t port_ = 0;
};

/// Sends `payload` to loopback at `port` from a fresh socket of that family.
bool send_udp(bool v6, std::uint16_t port, std::span<const std::uint8_t> payload);

}  // namespace asncounter::test
