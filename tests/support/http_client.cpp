#include "tests/support/http_client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace asncounter::test {

namespace {

using Clock = std::chrono::steady_clock;

int connect_to(int port, const std::string& from, bool nonblocking) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (!from.empty()) {
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, from.c_str(), &local.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
      ::close(fd);
      return -1;
    }
  }
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  if (nonblocking) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string dechunk(const std::string& body) {
  std::string out;
  std::size_t at = 0;
  while (at < body.size()) {
    auto eol = body.find("\r\n", at);
    if (eol == std::string::npos) break;
    std::size_t n = std::stoul(body.substr(at, eol - at), nullptr, 16);
    if (n == 0) break;
    out += body.substr(eol + 2, n);
    at = eol + 2 + n + 2;
  }
  return out;
}

void parse(const std::string& raw, HttpAnswer& a) {
  auto head_end = raw.find("\r\n\r\n");
  if (head_end == std::string::npos || raw.compare(0, 5, "HTTP/") != 0) return;
  auto sp = raw.find(' ');
  a.status = std::atoi(raw.c_str() + sp + 1);
  std::size_t at = raw.find("\r\n") + 2;
  while (at < head_end) {
    auto eol = raw.find("\r\n", at);
    auto colon = raw.find(':', at);
    if (colon != std::string::npos && colon < eol) {
      std::string value = raw.substr(colon + 1, eol - colon - 1);
      value.erase(0, value.find_first_not_of(' '));
      a.headers[lower(raw.substr(at, colon - at))] = value;
    }
    at = eol + 2;
  }
  a.body = raw.substr(head_end + 4);
  if (lower(a.headers["transfer-encoding"]) == "chunked") a.body = dechunk(a.body);
}

}  // namespace

HttpAnswer http_get(int port, const std::string& target, std::chrono::milliseconds timeout,
                    const std::string& from) {
  HttpAnswer a;
  auto start = Clock::now();
  auto deadline = start + timeout;
  int fd = connect_to(port, from, true);
  if (fd < 0) return a;
  std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  std::string raw;
  std::size_t sent = 0;
  while (Clock::now() < deadline) {
    pollfd p{fd, static_cast<short>(sent < request.size() ? POLLOUT : POLLIN), 0};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (::poll(&p, 1, static_cast<int>(std::max<long>(left, 1))) <= 0) continue;
    if (sent < request.size()) {
      auto n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<std::size_t>(n);
      continue;
    }
    char buf[65536];
    auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    raw.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  a.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  parse(raw, a);
  return a;
}

struct SlowClients::State {
  int port;
  int count;
  int addresses;
  std::chrono::milliseconds drip;
  std::atomic<bool> stop{false};
  std::atomic<int> connections{0};
  std::thread thread;

  std::string from(int i) const { return "127.0.0." + std::to_string(2 + i % addresses); }

  int open(int i) {
    int fd = connect_to(port, from(i), true);
    if (fd < 0) return -1;
    ++connections;
    if (drip.count() > 0) {
      std::string half = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n";  // no blank line: never ends
      ::send(fd, half.data(), half.size(), MSG_NOSIGNAL);
    }
    return fd;
  }

  void run() {
    std::vector<int> fds(static_cast<std::size_t>(count), -1);
    for (int i = 0; i < count; ++i) fds[static_cast<std::size_t>(i)] = open(i);
    auto next_drip = Clock::now() + drip;
    while (!stop) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      bool dripping = drip.count() > 0 && Clock::now() >= next_drip;
      if (dripping) next_drip += drip;
      for (int i = 0; i < count; ++i) {
        int& fd = fds[static_cast<std::size_t>(i)];
        bool cut = fd < 0;
        if (!cut) {
          char buf[4096];
          auto n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
          cut = n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
        }
        if (!cut && dripping) cut = ::send(fd, "X", 1, MSG_NOSIGNAL) != 1;
        if (cut) {
          if (fd >= 0) ::close(fd);
          fd = open(i);
        }
      }
    }
    for (int fd : fds)
      if (fd >= 0) ::close(fd);
  }
};

SlowClients::SlowClients(int port, int count, int addresses, std::chrono::milliseconds drip)
    : state_(std::make_unique<State>()) {
  state_->port = port;
  state_->count = count;
  state_->addresses = std::max(1, addresses);
  state_->drip = drip;
  state_->thread = std::thread([s = state_.get()] { s->run(); });
}

SlowClients::~SlowClients() {
  state_->stop = true;
  state_->thread.join();
}

int SlowClients::connections() const { return state_->connections; }

}  // namespace asncounter::test
