#pragma once
// A UDP socket for flow datagrams: bound to ADDR:PORT (IPv4, or IPv6 with
// IPv4-mapped senders too), read in batches with recvmmsg, a receive buffer
// large enough for an exporter's burst (softflowd -r sends a whole capture at
// once), and the kernel's drop counter (SO_RXQ_OVFL) read with every batch.

#include <sys/socket.h>
#include <sys/uio.h>
#include <cstddef>
#include <cstdint>

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "common/ip.hpp"
#include "common/result.hpp"
#include "daemon/input/fd_util.hpp"

namespace asncounter::flow {

/// An address and a port, as `--input sflow:ADDR:PORT` names them.
struct Endpoint {
  Address address;
  std::uint16_t port = 0;
};

/// Parses "192.0.2.1:6343", "[2001:db8::1]:2055" or "[::]:2055"; no names.
std::optional<Endpoint> parse_endpoint(std::string_view text) noexcept;

struct UdpReceiverOptions {
  /// Asked of the kernel (SO_RCVBUFFORCE when allowed, else SO_RCVBUF, which
  /// net.core.rmem_max caps); 32 MiB holds softflowd's end-of-file burst.
  std::size_t receive_buffer = std::size_t{32} << 20;
  std::size_t batch = 32;  ///< datagrams per recvmmsg call
};

class UdpReceiver {
 public:
  /// Called once per datagram with the sender's address (IPv4-mapped unmapped).
  using Handler = std::function<void(const Address& exporter, std::span<const std::uint8_t> datagram)>;

  /// Binds a non-blocking socket; the error names the endpoint and the cause.
  static Result<std::unique_ptr<UdpReceiver>> open(const Endpoint& endpoint,
                                                   const UdpReceiverOptions& options = {});

  /// Reads the datagrams queued now (one recvmmsg batch), handing each to
  /// `handler`. Returns how many were read: 0 when none were waiting.
  std::size_t receive(const Handler& handler);

  /// The socket, for poll() (see wait_readable in fd_util.hpp).
  int fd() const { return fd_.get(); }
  /// The port actually bound (useful when 0 was asked for).
  std::uint16_t port() const { return port_; }
  /// The receive buffer the kernel granted, in the units it was asked in.
  std::size_t receive_buffer() const { return granted_; }
  /// True when the buffer was set past rmem_max with SO_RCVBUFFORCE.
  bool forced() const { return forced_; }
  /// Datagrams the kernel dropped for want of buffer space since the socket opened.
  std::uint64_t drops() const { return drops_; }
  /// Asks the kernel for the socket's drop count now (SO_MEMINFO) rather than
  /// waiting for the next datagram to carry it; returns drops().
  std::uint64_t read_drops();
  /// Datagrams longer than 65,535 bytes cut short (cannot happen on IP; kept honest).
  std::uint64_t truncated() const { return truncated_; }

 private:
  UdpReceiver(UniqueFd fd, std::size_t batch);

  UniqueFd fd_;
  std::uint16_t port_ = 0;
  std::size_t granted_ = 0;
  bool forced_ = false;
  std::uint64_t drops_ = 0;
  std::uint64_t truncated_ = 0;
  std::vector<std::uint8_t> buffers_;
  std::vector<std::uint8_t> controls_;
  std::vector<std::uint8_t> names_;
  std::vector<mmsghdr> msgs_;
  std::vector<iovec> iovs_;
  std::size_t batch_;
};

}  // namespace asncounter::flow
