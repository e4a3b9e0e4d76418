// asncounterctl's client against fake servers on a real Unix socket: a long
// answer in small pieces is read in linear work, and a server trickling bytes
// cannot hold a call past its timeout.
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <functional>
#include <string>
#include <thread>

#include "ctl/client.hpp"
#include "tests/support/test_support.hpp"

using asncounter::ctl::Client;
using asncounter::test::TempDir;

namespace {

// Listens on DIR/fake.sock, accepts one client, reads its request line and
// hands the connection to `serve`.
class FakeServer {
 public:
  FakeServer(const TempDir& dir, std::function<void(int)> serve) : path_((dir / "fake.sock").string()) {
    listener_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(listener_ >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path_.c_str(), path_.size() + 1);
    REQUIRE(::bind(listener_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(listener_, 1) == 0);
    thread_ = std::thread([this, serve = std::move(serve)] {
      int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) return;
      char c = 0;
      while (::recv(fd, &c, 1, 0) == 1 && c != '\n') {
      }
      serve(fd);
      ::close(fd);
    });
  }
  ~FakeServer() {
    thread_.join();
    ::close(listener_);
  }
  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int listener_ = -1;
  std::thread thread_;
};

bool send_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

TEST_CASE("client reads a long answer sent in small pieces in linear work", "[client][adversarial]") {
  TempDir dir;
  // 32 MiB in 4 KiB writes: the old client searched the whole buffer for the
  // newline after every recv (16.6 s for 128 MiB), here over 8 GiB of scanning.
  const std::size_t size = std::size_t{32} << 20;
  std::string answer = R"({"jsonrpc":"2.0","id":1,"result":")";
  answer.append(size - answer.size() - 3, 'x');
  answer += "\"}\n";
  FakeServer server(dir, [&](int fd) {
    for (std::size_t at = 0; at < answer.size(); at += 4096)
      if (!send_all(fd, answer.data() + at, std::min<std::size_t>(4096, answer.size() - at))) return;
  });
  auto client = Client::connect(server.path(), std::chrono::seconds(600));
  REQUIRE(client.ok());
  auto line = client->exchange(R"({"jsonrpc":"2.0","id":1,"method":"version"})");
  REQUIRE(line.ok());
  CHECK(line->size() == size - 1);
  CHECK(client->scanned_bytes() == size);
}

TEST_CASE("client gives up when the whole call outlasts its timeout, however the bytes trickle",
          "[client][adversarial]") {
  TempDir dir;
  // A byte every 20 ms never lets a per-recv timeout of 1 s expire; the old
  // client waited for the newline that comes after 30 s.
  FakeServer server(dir, [](int fd) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < until) {
      if (!send_all(fd, "x", 1)) return;  // the client hung up: done
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    send_all(fd, "\n", 1);
  });
  auto client = Client::connect(server.path(), std::chrono::seconds(1));
  REQUIRE(client.ok());
  auto line = client->exchange(R"({"jsonrpc":"2.0","id":1,"method":"version"})");
  REQUIRE_FALSE(line.ok());
  CHECK(line.error().find("in time") != std::string::npos);
  // The client, destroyed before the server, hangs up: the server's next byte ends its loop.
}
