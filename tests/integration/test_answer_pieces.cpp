// Issue 12, finding 2: long answers are written as they are made. Clients
// that ask for every prefix of a big store and read nothing hold one piece of
// text each in the daemon (and the rows it is printed from), and get their
// whole answer once they read. The unfixed daemon built each answer whole
// through a JSON tree and held its text: 16 such clients over 120k prefixes
// grew it by 252 MiB, against 139 MiB now (docs/benchmarks.md).
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/integration/daemon_fixture.hpp"
#include "tests/support/peak_rss.hpp"
#include "tests/support/sanitizer_bounds.hpp"
#include "tests/support/unix_client.hpp"

using asncounter::test::DaemonFixture;
using nlohmann::json;

TEST_CASE("Clients not reading their long answers hold a piece each, and read them whole later",
          "[adversarial][daemon]") {
  constexpr int kPrefixes = 120000;
  constexpr int kClients = 16;
  DaemonFixture d({.config_text = "save-interval = 3600\nclient-timeout = 120\n",
                   .socket_group = "",
                   .reachable_by_others = false,
                   .extra_args = {}});
  d.count_many_prefixes(kPrefixes);
  const long before = asncounter::test::rss_kib(d.pid());

  std::vector<int> clients;
  for (int i = 0; i < kClients; ++i) {
    int fd = asncounter::test::connect_unix(d.socket());
    REQUIRE(fd >= 0);
    std::string request = R"({"jsonrpc":"2.0","id":)" + std::to_string(i) +
                          R"(,"method":"prefixes","params":{"limit":0}})"
                          "\n";
    REQUIRE(::write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size()));
    clients.push_back(fd);
  }
  // The worker takes heavy reads in turn: once this one is answered, every
  // answer above has been made (and, unfixed, printed whole).
  auto last = json::parse(d.call(R"({"jsonrpc":"2.0","id":99,"method":"top","params":{"limit":1}})"));
  REQUIRE(last.contains("result"));
  const long held = asncounter::test::rss_kib(d.pid());
  INFO("resident before " << before / 1024 << " MiB, with " << kClients << " unread answers " << held / 1024
                          << " MiB");
  CHECK(held - before < asncounter::test::rss_bound_kib(200 * 1024));

  for (int i = 0; i < kClients; ++i) {
    auto lines = asncounter::test::read_lines(clients[static_cast<std::size_t>(i)], 1);
    REQUIRE(lines.size() == 1);
    auto answer = json::parse(lines[0]);
    CHECK(answer["id"] == i);
    CHECK(answer["result"]["rows"].size() == 100000);  // rpc-max-rows
    CHECK(answer["result"]["truncated"] == true);
    ::close(clients[static_cast<std::size_t>(i)]);
  }
  CHECK(d.stop(SIGTERM) == 0);
}
