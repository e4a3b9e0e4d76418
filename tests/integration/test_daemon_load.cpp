// The control socket under load and abuse: 200 concurrent clients during
// ingest; malformed, oversized and stalled requests; the client cap.
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "ctl/client.hpp"
#include "tests/integration/daemon_fixture.hpp"

using asncounter::test::DaemonFixture;
using nlohmann::json;

namespace {

// A raw connection, so the test can send what asncounterctl never would.
class RawSocket {
 public:
  explicit RawSocket(const std::string& path) {
    fd_ = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    REQUIRE(connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    timeval tv{30, 0};  // only a bound against a hung daemon, not a timing check
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~RawSocket() { close(fd_); }
  void send_all(const std::string& s) {
    std::size_t done = 0;
    while (done < s.size()) {
      ssize_t n = ::send(fd_, s.data() + done, s.size() - done, MSG_NOSIGNAL);
      REQUIRE(n > 0);
      done += static_cast<std::size_t>(n);
    }
  }
  // One answer line, or "" when the daemon closed the connection.
  std::string line() {
    for (;;) {
      if (auto nl = buf_.find('\n'); nl != std::string::npos) {
        std::string l = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        return l;
      }
      char b[4096];
      ssize_t n = recv(fd_, b, sizeof b, 0);
      if (n <= 0) return "";
      buf_.append(b, static_cast<std::size_t>(n));
    }
  }
  int error_code() {
    auto l = line();
    REQUIRE(!l.empty());
    auto j = json::parse(l);
    return j.contains("error") ? j["error"]["code"].get<int>() : 0;
  }

 private:
  int fd_ = -1;
  std::string buf_;
};

const std::string kTop = R"({"jsonrpc":"2.0","id":9,"method":"top","params":{"limit":3}})"
                         "\n";

std::string many_lines(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += (i % 3 == 0 ? "198.51.100." : "192.0.2.") + std::to_string(i % 250) + "\n";
  return s;
}

}  // namespace

TEST_CASE("200 concurrent clients querying during ingest all get correct answers", "[daemon][load]") {
  DaemonFixture d({.config_text = "max-clients = 256\nclient-timeout = 60\n",
                   .socket_group = "",
                   .reachable_by_others = false,
                   .extra_args = {}});
  constexpr int kLinesTotal = 60000;
  std::atomic<bool> ingest_done{false};
  std::thread writer([&] {
    for (int chunk = 0; chunk < 6; ++chunk) d.write_fifo(many_lines(kLinesTotal / 6));
    ingest_done = true;
  });
  std::atomic<int> answers{0};
  std::mutex failures_mutex;
  std::vector<std::string> failures;
  auto fail = [&](std::string why) {
    std::lock_guard lock(failures_mutex);
    failures.push_back(std::move(why));
  };
  std::vector<std::thread> clients;
  for (int t = 0; t < 200; ++t) {
    clients.emplace_back([&, t] {
      auto c = asncounter::ctl::Client::connect(d.socket().string(), std::chrono::seconds(60));
      if (!c) return fail(c.error());
      std::uint64_t last_total = 0;
      for (int i = 0; i < 8; ++i) {
        asncounter::rpc::Params p;
        p.set(asncounter::rpc::ParamId::limit, 0);
        auto r = c->call(t % 2 ? asncounter::rpc::MethodId::top : asncounter::rpc::MethodId::prefixes, p);
        if (!r || !r->result_json) return fail(r ? r->error_message : r.error());
        auto j = json::parse(*r->result_json);
        std::uint64_t total = j["total"].get<std::uint64_t>();
        std::uint64_t sum = 0;
        for (const auto& row : j["rows"]) sum += row["count"].get<std::uint64_t>();
        // One consistent snapshot: the rows add up to the total, which never shrinks.
        if (sum != total || total < last_total || total > kLinesTotal)
          return fail("inconsistent: " + *r->result_json);
        last_total = total;
        asncounter::rpc::Params ip;
        ip.set(asncounter::rpc::ParamId::ips, {"192.0.2.1"});
        auto l = c->call(asncounter::rpc::MethodId::lookup, ip);
        if (!l || !l->result_json || json::parse(*l->result_json)["results"][0]["asn"] != 64496) {
          return fail("bad lookup answer");
        }
        answers += 2;
      }
    });
  }
  for (auto& c : clients) c.join();
  writer.join();
  CHECK(failures.size() == 0);
  if (!failures.empty()) FAIL_CHECK(failures.front());
  CHECK(answers == 200 * 8 * 2);
  REQUIRE(d.wait_for_hits(kLinesTotal) == kLinesTotal);
  auto top = json::parse(d.ctl("--json top").out);
  CHECK(top["rows"][0]["asn"] == 64496);
  constexpr int kPerChunkB = (kLinesTotal / 6 + 2) / 3;  // lines with i % 3 == 0 go to 64497
  CHECK(top["rows"][0]["count"] == kLinesTotal - 6 * kPerChunkB);
  CHECK(top["rows"][1]["asn"] == 64497);
  CHECK(top["rows"][1]["count"] == 6 * kPerChunkB);
}

TEST_CASE("Malformed, oversized and stalled requests leave the daemon serving, no count lost",
          "[daemon][load]") {
  DaemonFixture d({.config_text = "client-timeout = 2\n",
                   .socket_group = "",
                   .reachable_by_others = false,
                   .extra_args = {}});
  d.write_fifo(many_lines(300));
  REQUIRE(d.wait_for_hits(300) == 300);

  RawSocket s(d.socket().string());
  s.send_all("{this is not json\n");
  CHECK(s.error_code() == -32700);
  s.send_all(R"({"jsonrpc":"2.0","id":1,"method":"drop_tables"})"
             "\n");
  CHECK(s.error_code() == -32601);
  s.send_all(R"({"jsonrpc":"2.0","id":1,"method":"top","params":{"limit":"ten"}})"
             "\n");
  CHECK(s.error_code() == -32602);
  s.send_all(R"([{"jsonrpc":"2.0","id":1,"method":"top"}])"
             "\n");
  CHECK(s.error_code() == -32600);
  s.send_all(kTop);
  CHECK(s.error_code() == 0);  // same connection, still usable

  // 100 KiB without a newline: answered at once, the rest of the line skipped.
  RawSocket big(d.socket().string());
  big.send_all(R"({"jsonrpc":"2.0","id":1,"method":"top","params":{"pad":")" + std::string(100 * 1024, 'x'));
  CHECK(big.error_code() == -32002);
  big.send_all(std::string(50 * 1024, 'y') + "\"}}\n" + kTop);
  CHECK(big.error_code() == 0);

  // A client that stalls mid-request is cut off; others are not held up.
  RawSocket stalled(d.socket().string());
  stalled.send_all(R"({"jsonrpc":"2.0","id":1,"meth)");
  CHECK(d.ctl("top --limit 1").status == 0);
  CHECK(stalled.line().empty());  // closed by the deadline
  CHECK(d.log().find("no complete request within 2 s") != std::string::npos);

  d.write_fifo(many_lines(300));
  CHECK(d.wait_for_hits(600) == 600);
  auto stats = json::parse(d.ctl("--json stats").out);
  CHECK(stats["rpc"]["errors"].get<int>() >= 5);
}

TEST_CASE("Clients over max-clients are refused with an error line", "[daemon][load]") {
  DaemonFixture d({.config_text = "max-clients = 2\n",
                   .socket_group = "",
                   .reachable_by_others = false,
                   .extra_args = {}});
  auto a = std::make_unique<RawSocket>(d.socket().string());
  RawSocket b(d.socket().string());
  a->send_all(kTop);
  CHECK(a->error_code() == 0);
  b.send_all(kTop);
  CHECK(b.error_code() == 0);
  RawSocket c(d.socket().string());
  CHECK(c.error_code() == -32003);
  CHECK(c.line().empty());
  a.reset();  // a slot frees up
  for (int i = 0; i < 500; ++i) {
    auto r = d.ctl("top --limit 1");
    if (r.status == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(d.ctl("top --limit 1").status == 0);
  CHECK(json::parse(d.ctl("--json stats").out)["rpc"]["refused_clients"].get<int>() >= 1);
}
