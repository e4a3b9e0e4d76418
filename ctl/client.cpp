#include "ctl/client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <utility>
#include <vector>

namespace asncounter::ctl {
namespace {

// Answers can be large (`prefixes --limit 0` over a full table), but not this large.
constexpr std::size_t kMaxAnswerBytes = std::size_t{1} << 30;

std::string errno_text() { return std::strerror(errno); }

void set_timeouts(int fd, std::chrono::milliseconds t) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(t.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((t.count() % 1000) * 1000);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

// Waits until `fd` is ready for `events` (or in error: the next call says
// which); false once `deadline` has passed.
bool wait_ready(int fd, short events, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, static_cast<int>(std::min<std::chrono::milliseconds::rep>(left.count(), INT_MAX)));
    if (n > 0 || (n < 0 && errno != EINTR)) return true;
  }
}

// Read in large pieces: a full table's answer is hundreds of megabytes.
constexpr std::size_t kReadBytes = std::size_t{256} << 10;

}  // namespace

Result<Client> Client::connect(const std::string& socket_path, std::chrono::milliseconds timeout) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof addr.sun_path) return Error{"socket path too long: " + socket_path};
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return Error{"cannot create a socket: " + errno_text()};
  set_timeouts(fd.get(), timeout);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
    return Error{"cannot reach asncounterd at " + socket_path + ": " + errno_text()};
  return Client(std::move(fd), socket_path, timeout);
}

Result<rpc::Response> Client::call(rpc::MethodId method, const rpc::Params& params) {
  std::uint64_t id = next_id_++;
  auto line = exchange(rpc::make_request(id, method, params));
  if (!line) return Error{line.error()};
  auto response = rpc::parse_response(*line);
  if (!response) return Error{"asncounterd at " + path_ + " sent something that is not a JSON-RPC answer"};
  // A refusal before any request was read (too many clients) carries id null.
  if (response->id_json != std::to_string(id) && response->id_json != "null") {
    return Error{"asncounterd at " + path_ + " answered another request (id " + response->id_json + ")"};
  }
  return *response;
}

Result<std::string> Client::exchange(std::string_view line) {
  // One deadline for the whole call: per-recv timeouts would let a server
  // that sends a byte now and then hold the client forever.
  const auto deadline = Clock::now() + timeout_;
  std::string out(line);
  if (out.empty() || out.back() != '\n') out += '\n';
  std::size_t sent = 0;
  while (sent < out.size()) {
    if (!wait_ready(fd_.get(), POLLOUT, deadline))
      return Error{"asncounterd at " + path_ + " took no request in time"};
    ssize_t n = ::send(fd_.get(), out.data() + sent, out.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    if (n < 0) return Error{"cannot send to asncounterd at " + path_ + ": " + errno_text()};
    sent += static_cast<std::size_t>(n);
  }
  return read_line(deadline);
}

// Each received byte is looked at once: the search for the newline resumes
// where the last one stopped (rescanning the whole buffer per recv was
// quadratic: 16.6 s for a 128 MiB answer).
Result<std::string> Client::read_line(Clock::time_point deadline) {
  std::vector<char> chunk(kReadBytes);
  for (;;) {
    std::size_t nl = buffer_.find('\n', unscanned_at_);
    std::size_t scanned_to = nl == std::string::npos ? buffer_.size() : nl + 1;
    scanned_bytes_ += scanned_to - unscanned_at_;
    unscanned_at_ = scanned_to;
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      unscanned_at_ = 0;
      return line;
    }
    if (buffer_.size() > kMaxAnswerBytes) return Error{"answer from asncounterd at " + path_ + " over 1 GiB"};
    if (!wait_ready(fd_.get(), POLLIN, deadline))
      return Error{"no answer from asncounterd at " + path_ + " in time"};
    ssize_t n = ::recv(fd_.get(), chunk.data(), chunk.size(), MSG_DONTWAIT);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    if (n < 0) return Error{"cannot read from asncounterd at " + path_ + ": " + errno_text()};
    if (n == 0) return Error{"asncounterd at " + path_ + " closed the connection"};
    buffer_.append(chunk.data(), static_cast<std::size_t>(n));
  }
}

}  // namespace asncounter::ctl
