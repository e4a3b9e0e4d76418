// The control server's sessions, worker and event loop together, in one
// process (so that TSan sees every hand-over): clients asking for long
// answers in pieces, one reading slowly, and reloads, all at once.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "ctl/client.hpp"
#include "daemon/rpc/dispatch.hpp"
#include "daemon/rpc/server.hpp"
#include "daemon/sys/asio.hpp"
#include "tests/support/counted_24s.hpp"
#include "tests/support/fake_daemon.hpp"
#include "tests/support/test_support.hpp"
#include "tests/support/unix_client.hpp"

namespace rpc = asncounter::rpc;
namespace asio = boost::asio;
using nlohmann::json;

namespace {

constexpr int kPrefixes = 3000;

// Reads one answer line from a raw socket 512 bytes at a time, pausing:
// the daemon's pieces wait for it.
std::string read_slowly(const std::string& path, const std::string& request) {
  int fd = asncounter::test::connect_unix(path);
  REQUIRE(fd >= 0);
  REQUIRE(::write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size()));
  std::string line;
  char chunk[512];
  for (int reads = 0; line.empty() || line.back() != '\n'; ++reads) {
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n <= 0) break;
    line.append(chunk, static_cast<std::size_t>(n));
    if (reads % 64 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ::close(fd);
  return line;
}

}  // namespace

TEST_CASE("Sessions hand long answers and reloads between the loop and the worker safely", "[rpc_server]") {
  asncounter::test::TempDir dir;
  asncounter::test::FakeDaemon daemon(asncounter::test::table_of_24s(kPrefixes), 4);
  asncounter::test::count_each_24(daemon.store(), kPrefixes);
  rpc::Dispatcher dispatcher(daemon, *rpc::AdminPolicy::make(""));
  asio::io_context io;
  const std::string path = (dir / "run" / "control.sock").string();
  auto server = rpc::Server::open(io, path, "", dispatcher, rpc::ServerLimits{});
  REQUIRE(server);
  (*server)->start();
  auto guard = asio::make_work_guard(io);
  std::thread loop([&] { io.run(); });

  const std::string all = R"({"jsonrpc":"2.0","id":1,"method":"prefixes","params":{"limit":0}})"
                          "\n";
  std::vector<std::thread> clients;
  std::vector<int> complete(4, 0);
  for (int c = 0; c < 3; ++c) {
    clients.emplace_back([&, c] {
      auto client = asncounter::ctl::Client::connect(path, std::chrono::seconds(30));
      if (!client) return;
      for (int i = 0; i < 5; ++i) {
        auto line = client->exchange(c == 0 && i % 2 ? R"({"jsonrpc":"2.0","id":2,"method":"reload"})" : all);
        if (!line) return;
        auto answer = json::parse(*line);
        bool whole = c == 0 && i % 2 ? answer["result"]["reloaded"] == true
                                     : answer["result"]["rows"].size() == static_cast<std::size_t>(kPrefixes);
        complete[static_cast<std::size_t>(c)] += whole ? 1 : 0;
      }
    });
  }
  clients.emplace_back([&] {
    auto answer = json::parse(read_slowly(path, all));
    complete[3] = answer["result"]["rows"].size() == static_cast<std::size_t>(kPrefixes) ? 1 : 0;
  });
  for (auto& t : clients) t.join();
  CHECK(complete == std::vector<int>{5, 5, 5, 1});

  asio::post(io, [&] { (*server)->stop(); });
  guard.reset();
  loop.join();
  CHECK(daemon.reloads == 2);  // committed on the loop, read once it ended
}
