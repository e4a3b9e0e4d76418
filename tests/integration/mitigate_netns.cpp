#include "tests/integration/mitigate_netns.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/integration/daemon_fixture.hpp"
#include "tests/support/test_support.hpp"

namespace asncounter::test {
namespace {

// Counts packets per source; rewrites its file (atomically) at most ten times a second.
constexpr const char* kReceiverScript = R"(
import os, socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(sys.argv[1])))
s.settimeout(0.1)
counts, last = {}, 0.0
while True:
    try:
        _, (src, _) = s.recvfrom(2048)
        counts[src] = counts.get(src, 0) + 1
    except socket.timeout:
        pass
    now = time.monotonic()
    if now - last >= 0.1:
        last = now
        with open(sys.argv[2] + ".tmp", "w") as f:
            for k, v in counts.items():
                f.write("%s %d\n" % (k, v))
        os.rename(sys.argv[2] + ".tmp", sys.argv[2])
)";

// Sends PPS packets a second from each source address for SECONDS.
constexpr const char* kSenderScript = R"(
import socket, sys, time
dst, port, pps, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
socks = []
for src in sys.argv[5:]:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 0))
    socks.append(s)
start = time.monotonic()
n = 0
while time.monotonic() - start < seconds:
    for s in socks:
        try:
            s.sendto(b"x" * 32, (dst, port))
        except OSError:
            pass
    n += 1
    delay = start + n / pps - time.monotonic()
    if delay > 0:
        time.sleep(delay)
)";

std::string sh(const std::string& command) { return run_command(command + " 2>&1").out; }

}  // namespace

MitigateNetns::MitigateNetns(const std::filesystem::path& dir, const std::vector<std::string>& sources)
    : dir_(dir) {
  const std::string id = std::to_string(getpid());
  rx_ = "actrx" + id;
  tx_ = "acttx" + id;
  rx_if_ = "actr" + id;
  tx_if_ = "actt" + id;
  if (geteuid() != 0) {
    why_ = "needs root for network namespaces and nftables";
    return;
  }
  if (!have_program("nft") || !have_program("ip")) {
    why_ = "needs ip and nft (Debian packages iproute2, nftables)";
    return;
  }
  std::ofstream(dir_ / "recv.py") << kReceiverScript;
  std::ofstream(dir_ / "send.py") << kSenderScript;
  std::string setup = "set -e; ip netns add " + rx_ + "; ip netns add " + tx_ + "; ip link add " + rx_if_ +
                      " netns " + rx_ + " type veth peer name " + tx_if_ + " netns " + tx_ + ";" + " ip -n " +
                      rx_ + " link set lo up; ip -n " + tx_ + " link set lo up;" + " ip -n " + rx_ +
                      " addr add " + kReceiver + "/32 dev " + rx_if_ + ";" + " ip -n " + rx_ + " link set " +
                      rx_if_ + " up; ip -n " + tx_ + " link set " + tx_if_ + " up;" + " ip -n " + tx_ +
                      " route add " + kReceiver + "/32 dev " + tx_if_ + ";";
  for (const std::string& src : sources) {
    setup += " ip -n " + tx_ + " addr add " + src + "/32 dev " + tx_if_ + ";";
    setup += " ip -n " + rx_ + " route add " + src + "/32 dev " + rx_if_ + ";";
  }
  auto r = run_command("sh -c " + quote(setup) + " 2>&1");
  if (r.status != 0) {
    why_ = "cannot set up the network namespaces: " + r.out;
    return;
  }
  auto started = run_command("(ip netns exec " + rx_ + " /usr/bin/python3 " +
                             quote((dir_ / "recv.py").string()) + " " + std::to_string(kPort) + " " +
                             quote((dir_ / "received").string()) + " >/dev/null 2>&1 & echo $!)");
  receiver_ = static_cast<pid_t>(std::stol(started.out));
  ok_ = true;
}

MitigateNetns::~MitigateNetns() {
  for (pid_t p : senders_) stop(p);
  if (receiver_ > 0) {
    kill(receiver_, SIGKILL);
    waitpid(receiver_, nullptr, WNOHANG);
  }
  // Deleting the namespaces takes the veth pair and the nftables table with them.
  sh("ip netns del " + rx_);
  sh("ip netns del " + tx_);
}

pid_t MitigateNetns::send(const std::vector<std::string>& sources, int pps, double seconds) {
  std::string words;
  for (const auto& s : sources) words += " " + s;
  auto started =
      run_command("(ip netns exec " + tx_ + " /usr/bin/python3 " + quote((dir_ / "send.py").string()) + " " +
                  kReceiver + " " + std::to_string(kPort) + " " + std::to_string(pps) + " " +
                  std::to_string(seconds) + words + " >/dev/null 2>&1 & echo $!)");
  pid_t pid = static_cast<pid_t>(std::stol(started.out));
  senders_.push_back(pid);
  return pid;
}

void MitigateNetns::stop(pid_t sender) {
  kill(sender, SIGKILL);
  senders_.erase(std::remove(senders_.begin(), senders_.end(), sender), senders_.end());
}

std::map<std::string, std::uint64_t> MitigateNetns::received() const {
  std::map<std::string, std::uint64_t> out;
  std::ifstream in(dir_ / "received");
  std::string src;
  std::uint64_t n = 0;
  while (in >> src >> n) out[src] = n;
  return out;
}

std::string MitigateNetns::nft(const std::string& args) const {
  return sh("ip netns exec " + rx_ + " nft " + args);
}

std::vector<std::string> MitigateNetns::set_elements(const std::string& set) const {
  std::vector<std::string> out;
  auto doc = nlohmann::json::parse(nft("-j list set inet asncounter " + set), nullptr, false);
  if (doc.is_discarded()) return out;
  for (const auto& item : doc.value("nftables", nlohmann::json::array())) {
    if (!item.contains("set")) continue;
    for (const auto& e : item["set"].value("elem", nlohmann::json::array())) {
      const auto& val = e.contains("elem") ? e["elem"]["val"] : e;
      if (val.is_string())
        out.push_back(val.get<std::string>() + "/32");
      else if (val.contains("prefix"))
        out.push_back(val["prefix"]["addr"].get<std::string>() + "/" +
                      std::to_string(val["prefix"]["len"].get<int>()));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::uint64_t MitigateNetns::dropped() const {
  std::uint64_t n = 0;
  auto doc = nlohmann::json::parse(nft("-j list chain inet asncounter input"), nullptr, false);
  if (doc.is_discarded()) return 0;
  for (const auto& item : doc.value("nftables", nlohmann::json::array())) {
    if (!item.contains("rule")) continue;
    for (const auto& expr : item["rule"].value("expr", nlohmann::json::array()))
      if (expr.contains("counter")) n += expr["counter"].value("packets", std::uint64_t{0});
  }
  return n;
}

}  // namespace asncounter::test
