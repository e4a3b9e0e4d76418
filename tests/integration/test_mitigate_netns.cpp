// The mitigation end to end (issue 23's "Done when"): the real daemon in a
// network namespace counts real UDP packets by capture on its veth end, its
// rule bans the flooding ASN's carved address space in the kernel's nftables
// set, the flood is dropped while the background passes, and the ban expires.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/daemon_fixture.hpp"
#include "tests/integration/mitigate_netns.hpp"
#include "tests/support/polling.hpp"
#include "tests/support/test_support.hpp"

using asncounter::test::DaemonFixture;
using asncounter::test::eventually;
using asncounter::test::MitigateNetns;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// AS64496 announces 192.0.2.0/24 but AS64497 announces its 192.0.2.192/26:
// a ban of AS64496 must leave that /26 alone. AS64498 is background.
const std::vector<std::pair<std::string, std::uint32_t>> kRoutes = {{"192.0.2.0/24", 64496},
                                                                    {"192.0.2.192/26", 64497},
                                                                    {"198.51.100.0/24", 64498},
                                                                    {"203.0.113.0/24", 64499}};
const std::vector<std::string> kFlood = {"192.0.2.10", "192.0.2.130"};
const std::vector<std::string> kBackground = {"198.51.100.10", "198.51.100.20", "192.0.2.200"};
const std::vector<std::string> kCarved = {"192.0.2.0/25", "192.0.2.128/26"};

std::vector<std::string> all_sources() {
  std::vector<std::string> all = kFlood;
  all.insert(all.end(), kBackground.begin(), kBackground.end());
  return all;
}

DaemonFixture::Setup setup(const MitigateNetns& net, const std::string& rule, const std::string& mode,
                           std::vector<std::string> more = {}) {
  DaemonFixture::Setup s;
  s.routes = kRoutes;
  s.wrapper = {"/usr/sbin/ip", "netns", "exec", net.rx()};
  s.extra_args = {
      "--input", "pcap:" + net.rx_if(), "--history-step", "1", "--mitigate", rule, "--mitigate-mode", mode};
  s.extra_args.insert(s.extra_args.end(), more.begin(), more.end());
  return s;
}

json decisions(const DaemonFixture& d) {
  auto r = d.ctl("--json decisions");
  REQUIRE(r.status == 0);
  return json::parse(r.out);
}

}  // namespace

#define NETNS_OR_SKIP(net)                            \
  asncounter::test::TempDir net##_dir;                \
  MitigateNetns net(net##_dir.path(), all_sources()); \
  if (!net.ok()) ASNCOUNTER_SKIP(net.why())

TEST_CASE("a flooding ASN's carved space is dropped in the kernel, the background passes, the ban expires",
          "[mitigate]") {
  NETNS_OR_SKIP(net);
  DaemonFixture d(setup(net, "asn hits over 2s above 50 ban 5s", "enforce"));
  net.send(kBackground, 2, 30);
  pid_t flood = net.send(kFlood, 100, 30);
  // 50 flood packets take a quarter of a second; the ban comes within two 1 s steps.
  REQUIRE(eventually([&] { return !net.set_elements("block4").empty(); }, 3s));
  CHECK(net.set_elements("block4") == kCarved);
  CHECK(net.set_elements("block6").empty());

  std::this_thread::sleep_for(300ms);
  auto before = net.received();
  std::this_thread::sleep_for(1200ms);
  auto after = net.received();
  for (const auto& src : kFlood) CHECK(after[src] == before[src]);
  for (const auto& src : kBackground) CHECK(after[src] > before[src]);
  CHECK(net.dropped() > 0);

  json doc = decisions(d);
  CHECK(doc["mode"] == "enforce");
  REQUIRE(doc["active"].size() == 1);
  const json& ban = doc["active"][0];
  CHECK(ban["target"] == "AS64496");
  CHECK(ban["rule"] == "asn hits over 2s above 50 ban 5s");
  CHECK(ban["prefixes"] == json(kCarved));
  CHECK(ban["value"].get<std::uint64_t>() > 50);
  CHECK(ban["inputs"].dump().find("pcap:" + net.rx_if()) != std::string::npos);
  CHECK(d.ctl("decisions").out.find("AS64496") != std::string::npos);

  // The flood stops; once the ban's time is up the kernel has let it go,
  // and the same sources pass again.
  net.stop(flood);
  REQUIRE(eventually([&] { return net.set_elements("block4").empty(); }, 8s));
  auto expired = net.received();
  net.send(kFlood, 50, 0.2);
  REQUIRE(eventually([&] { return net.received()[kFlood[0]] > expired[kFlood[0]]; }, 3s));
  CHECK(d.log().find("decision id=1 target=AS64496 state=active") != std::string::npos);
}

TEST_CASE("an allow-listed ASN flooding is never banned, and decisions shows the refusal", "[mitigate]") {
  NETNS_OR_SKIP(net);
  DaemonFixture d(setup(net, "asn hits over 2s above 50 ban 5s", "enforce", {"--mitigate-allow", "AS64496"}));
  net.send(kFlood, 100, 2);
  json refused;
  json seen;
  const bool found = eventually(
      [&] {
        seen = decisions(d);
        for (const json& r : seen["recent"])
          if (r["target"] == "AS64496" && r["state"] == "refused") refused = r;
        return !refused.is_null();
      },
      4s);
  INFO(seen.dump() << "\n" << d.log());
  REQUIRE(found);
  CHECK(refused["refusal"] == "allow-listed (mitigate-allow)");
  CHECK(decisions(d)["active"].empty());
  CHECK(net.set_elements("block4").empty());
}

TEST_CASE("dry-run decides the same and leaves the kernel untouched", "[mitigate]") {
  NETNS_OR_SKIP(net);
  DaemonFixture d(setup(net, "asn hits over 2s above 50 ban 5s", "dry-run"));
  net.send(kFlood, 100, 2);
  json active;
  REQUIRE(eventually(
      [&] {
        active = decisions(d)["active"];
        return !active.empty();
      },
      4s));
  CHECK(active[0]["target"] == "AS64496");
  CHECK(active[0]["dry_run"] == true);
  CHECK(active[0]["prefixes"] == json(kCarved));
  CHECK(net.nft("list tables").find("asncounter") == std::string::npos);
  CHECK(d.ctl("decisions").out.find("would ban") != std::string::npos);
}

TEST_CASE("after kill -9 the kernel keeps the bans and expires them, and a restart shows them",
          "[mitigate]") {
  NETNS_OR_SKIP(net);
  DaemonFixture d(setup(net, "asn hits over 2s above 50 ban 6s", "enforce"));
  pid_t flood = net.send(kFlood, 100, 30);
  REQUIRE(eventually([&] { return !net.set_elements("block4").empty(); }, 3s));
  net.stop(flood);
  const auto banned_at = std::chrono::steady_clock::now();
  CHECK(d.stop(SIGKILL) == 128 + SIGKILL);
  CHECK(net.set_elements("block4") == kCarved);

  d.start();
  json doc = decisions(d);
  REQUIRE(doc["active"].size() == 1);
  CHECK(doc["active"][0]["target"] == "AS64496");
  const auto remaining = doc["active"][0]["remaining"].get<std::int64_t>();
  CHECK(remaining > 0);
  CHECK(remaining <= 6);
  CHECK(net.set_elements("block4") == kCarved);  // put back as it was, not made again
  // The kernel's own timeout ends it (the daemon adds nothing back).
  REQUIRE(eventually([&] { return net.set_elements("block4").empty(); }, 9s));
  CHECK(std::chrono::steady_clock::now() - banned_at >= 5s);
}

TEST_CASE("a ban by hand from asncounterctl is carved, capped by the allow list, and undone by unban",
          "[mitigate]") {
  NETNS_OR_SKIP(net);
  DaemonFixture d(
      setup(net, "asn hits over 60s above 1G ban 5s", "enforce", {"--mitigate-allow", "AS64498"}));
  auto banned = d.ctl("ban --for 60 --reason flood AS64496");
  REQUIRE(banned.status == 0);
  CHECK(net.set_elements("block4") == kCarved);
  auto refused = d.ctl("ban AS64498");
  CHECK(refused.status != 0);
  CHECK(refused.out.find("allow") != std::string::npos);
  CHECK(d.ctl("ban 0.0.0.0/0").status != 0);
  json doc = decisions(d);
  REQUIRE(doc["active"].size() == 1);
  CHECK(doc["active"][0]["target"] == "AS64496");
  CHECK(doc["active"][0]["reason"] == "flood");
  REQUIRE(d.ctl("unban AS64496").status == 0);
  CHECK(net.set_elements("block4").empty());
  CHECK(decisions(d)["active"].empty());
}

TEST_CASE("a set flushed or a table deleted under the daemon is repaired at the next step, and logged",
          "[mitigate]") {
  NETNS_OR_SKIP(net);
  DaemonFixture d(setup(net, "asn hits over 60s above 1G ban 5s", "enforce"));
  REQUIRE(d.ctl("ban --for 60 AS64496").status == 0);
  REQUIRE(net.set_elements("block4") == kCarved);

  net.nft("flush set inet asncounter block4");
  REQUIRE(net.set_elements("block4").empty());
  CHECK(eventually([&] { return net.set_elements("block4") == kCarved; }, 3s));
  CHECK(eventually([&] { return d.log().find("repaired") != std::string::npos; }, 2s));

  net.nft("delete table inet asncounter");
  REQUIRE(net.nft("list tables").find("asncounter") == std::string::npos);
  CHECK(eventually([&] { return net.set_elements("block4") == kCarved; }, 3s));
  // The drop rule is back with the table: the flood is dropped again.
  net.send(kFlood, 100, 0.5);
  CHECK(eventually([&] { return net.dropped() > 0; }, 3s));
}
