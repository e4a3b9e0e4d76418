#include "ctl/client.hpp"

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

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

}  // namespace

Result<Client> Client::connect(const std::string& socket_path, std::chrono::milliseconds timeout) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof addr.sun_path) return Error{"socket path too long: " + socket_path};
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error{"cannot create a socket: " + errno_text()};
  set_timeouts(fd, timeout);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    std::string why = errno_text();
    ::close(fd);
    return Error{"cannot reach asncounterd at " + socket_path + ": " + why};
  }
  return Client(fd, socket_path);
}

Client::~Client() {
  if (fd_ >= 0) ::close(fd_);
}

Client::Client(Client&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      path_(std::move(other.path_)),
      next_id_(other.next_id_),
      buffer_(std::move(other.buffer_)) {}

Client& Client::operator=(Client&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
    next_id_ = other.next_id_;
    buffer_ = std::move(other.buffer_);
  }
  return *this;
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
  std::string out(line);
  if (out.empty() || out.back() != '\n') out += '\n';
  std::size_t sent = 0;
  while (sent < out.size()) {
    ssize_t n = ::send(fd_, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error{"cannot send to asncounterd at " + path_ + ": " + errno_text()};
    sent += static_cast<std::size_t>(n);
  }
  return read_line();
}

Result<std::string> Client::read_line() {
  char buf[65536];
  for (;;) {
    if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    if (buffer_.size() > kMaxAnswerBytes) return Error{"answer from asncounterd at " + path_ + " over 1 GiB"};
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return Error{"no answer from asncounterd at " + path_ + " in time"};
    }
    if (n < 0) return Error{"cannot read from asncounterd at " + path_ + ": " + errno_text()};
    if (n == 0) return Error{"asncounterd at " + path_ + " closed the connection"};
    buffer_.append(buf, static_cast<std::size_t>(n));
  }
}

}  // namespace asncounter::ctl
