#include "daemon/input/flow/udp_receiver.hpp"

#include <arpa/inet.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <string>

#include "common/big_endian.hpp"

namespace asncounter::flow {
namespace {

constexpr std::size_t kMaxDatagram = 65535;
// One cmsg for the SO_RXQ_OVFL counter, with room to spare.
constexpr std::size_t kControl = 64;

std::string describe(const Endpoint& e) {
  const std::string a = to_string(e.address);
  return (e.address.is_v4() ? a : "[" + a + "]") + ":" + std::to_string(e.port);
}

Error failure(const Endpoint& e, const char* what) {
  return Error{"udp " + describe(e) + ": " + what + ": " + std::strerror(errno)};
}

Address from_sockaddr(const sockaddr_storage& ss) noexcept {
  if (ss.ss_family == AF_INET) {
    const auto& in = reinterpret_cast<const sockaddr_in&>(ss);
    return Address::from_v4(ntohl(in.sin_addr.s_addr));
  }
  const auto& in6 = reinterpret_cast<const sockaddr_in6&>(ss);
  const auto* b = reinterpret_cast<const std::uint8_t*>(&in6.sin6_addr);
  return unmap_v4(Address::from_v6(V6{load_be64(b), load_be64(b + 8)}));
}

}  // namespace

std::optional<Endpoint> parse_endpoint(std::string_view text) noexcept {
  std::string_view host, port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return std::nullopt;
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return std::nullopt;  // IPv6 needs brackets
  }
  const auto address = parse_address(host);
  if (!address) return std::nullopt;
  if (!text.empty() && text.front() == '[' && address->is_v4()) return std::nullopt;
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc{} || end != port.data() + port.size() || port.empty() || value > 65535)
    return std::nullopt;
  return Endpoint{*address, static_cast<std::uint16_t>(value)};
}

UdpReceiver::UdpReceiver(UniqueFd fd, std::size_t batch)
    : fd_(std::move(fd)),
      buffers_(batch * kMaxDatagram),
      controls_(batch * kControl),
      names_(batch * sizeof(sockaddr_storage)),
      batch_(batch) {}

Result<std::unique_ptr<UdpReceiver>> UdpReceiver::open(const Endpoint& e, const UdpReceiverOptions& options) {
  const bool v4 = e.address.is_v4();
  UniqueFd fd(::socket(v4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return failure(e, "socket");
  const int zero = 0, one = 1;
  // [::] also receives IPv4 exporters (as mapped addresses), whatever bindv6only says.
  if (!v4 && ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero) != 0)
    return failure(e, "IPV6_V6ONLY");
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one) != 0)
    return failure(e, "SO_RXQ_OVFL");

  bool forced = false;
  if (options.receive_buffer > 0) {
    const int want = static_cast<int>(std::min<std::size_t>(options.receive_buffer, 1U << 30));
    // Only root (CAP_NET_ADMIN) may pass net.core.rmem_max; others get what SO_RCVBUF allows.
    forced = ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUFFORCE, &want, sizeof want) == 0;
    if (!forced && ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &want, sizeof want) != 0)
      return failure(e, "SO_RCVBUF");
  }
  int granted = 0;
  socklen_t granted_len = sizeof granted;
  if (::getsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &granted, &granted_len) != 0)
    return failure(e, "SO_RCVBUF");

  sockaddr_storage ss{};
  socklen_t len = 0;
  if (v4) {
    auto& in = reinterpret_cast<sockaddr_in&>(ss);
    in.sin_family = AF_INET;
    in.sin_port = htons(e.port);
    in.sin_addr.s_addr = htonl(e.address.v4);
    len = sizeof in;
  } else {
    auto& in6 = reinterpret_cast<sockaddr_in6&>(ss);
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(e.port);
    auto* b = reinterpret_cast<std::uint8_t*>(&in6.sin6_addr);
    for (int i = 0; i < 8; ++i) {
      b[i] = static_cast<std::uint8_t>(e.address.v6.hi >> (56 - 8 * i));
      b[8 + i] = static_cast<std::uint8_t>(e.address.v6.lo >> (56 - 8 * i));
    }
    len = sizeof in6;
  }
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&ss), len) != 0) return failure(e, "bind");
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&ss), &len) != 0) return failure(e, "getsockname");

  std::unique_ptr<UdpReceiver> r(new UdpReceiver(std::move(fd), std::max<std::size_t>(options.batch, 1)));
  r->port_ = ntohs(v4 ? reinterpret_cast<const sockaddr_in&>(ss).sin_port
                      : reinterpret_cast<const sockaddr_in6&>(ss).sin6_port);
  // Linux doubles the value asked for (half is bookkeeping) and reports the double.
  r->granted_ = static_cast<std::size_t>(granted) / 2;
  r->forced_ = forced;
  return r;
}

std::size_t UdpReceiver::receive(const Handler& handler) {
  // Reused across calls: the kernel rewrites the lengths, so they are reset each time.
  auto& msgs = msgs_;
  auto& iovs = iovs_;
  msgs.resize(batch_);
  iovs.resize(batch_);
  auto* names = reinterpret_cast<sockaddr_storage*>(names_.data());
  for (std::size_t i = 0; i < batch_; ++i) {
    iovs[i] = iovec{buffers_.data() + i * kMaxDatagram, kMaxDatagram};
    msghdr& h = msgs[i].msg_hdr;
    h = msghdr{};
    h.msg_name = &names[i];
    h.msg_namelen = sizeof(sockaddr_storage);
    h.msg_iov = &iovs[i];
    h.msg_iovlen = 1;
    h.msg_control = controls_.data() + i * kControl;
    h.msg_controllen = kControl;
  }
  int n;
  do {
    n = ::recvmmsg(fd_.get(), msgs.data(), static_cast<unsigned>(batch_), MSG_DONTWAIT, nullptr);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return 0;  // EAGAIN: nothing queued (errors on UDP sockets are transient ICMP reports)
  for (int i = 0; i < n; ++i) {
    msghdr& h = msgs[static_cast<std::size_t>(i)].msg_hdr;
    for (cmsghdr* c = CMSG_FIRSTHDR(&h); c; c = CMSG_NXTHDR(&h, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL &&
          c->cmsg_len >= CMSG_LEN(sizeof(std::uint32_t))) {
        std::uint32_t dropped = 0;
        std::memcpy(&dropped, CMSG_DATA(c), sizeof dropped);
        drops_ = dropped;  // the kernel's running total for this socket
      }
    }
    if (h.msg_flags & MSG_TRUNC) ++truncated_;
    const auto size = msgs[static_cast<std::size_t>(i)].msg_len;
    handler(from_sockaddr(names[i]),
            std::span<const std::uint8_t>(static_cast<const std::uint8_t*>(h.msg_iov->iov_base), size));
  }
  return static_cast<std::size_t>(n);
}

// SO_RXQ_OVFL reports the count only on a datagram that arrives: after a
// burst that overflowed the buffer and then silence, it would stay stale.
std::uint64_t UdpReceiver::read_drops() {
  std::uint32_t info[SK_MEMINFO_VARS] = {};
  socklen_t len = sizeof info;
  if (::getsockopt(fd_.get(), SOL_SOCKET, SO_MEMINFO, info, &len) == 0 &&
      len > SK_MEMINFO_DROPS * sizeof info[0])
    drops_ = info[SK_MEMINFO_DROPS];
  return drops_;
}

}  // namespace asncounter::flow
