// Packet inputs end to end: files written by the pcap writer replayed through
// make_input("pcap-file:..."), a live capture on lo fed by real UDP sockets,
// and an interface that vanishes under a running capture.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/ip.hpp"
#include "daemon/input/capture/packet_decoder.hpp"
#include "daemon/input/capture/pcap_handle.hpp"
#include "daemon/input/input.hpp"
#include "tests/support/addresses.hpp"
#include "tests/support/test_support.hpp"
#include "tests/tools/pcap_writer.hpp"

namespace {

using asncounter::Address;
using asncounter::Family;
namespace linktype = asncounter::linktype;
namespace test = asncounter::test;

using asncounter::test::addr;

// Everything the sink was handed, from the input's thread.
struct Collected {
  std::mutex mutex;
  std::uint64_t hits = 0;
  std::uint64_t bytes = 0;
  std::uint64_t batches = 0;
  bool every_batch_has_bytes = true;
  std::map<std::string, std::uint64_t> by_address;

  asncounter::BatchSink sink() {
    return [this](const asncounter::EventBatch& b) {
      std::lock_guard lock(mutex);
      ++batches;
      every_batch_has_bytes = every_batch_has_bytes && b.has_bytes;
      for (std::size_t i = 0; i < b.size; ++i) {
        hits += b.hits[i];
        bytes += b.bytes[i];
        by_address[asncounter::to_string(b.addrs[i])] += b.hits[i];
      }
    };
  }
};

std::unique_ptr<asncounter::Input> make(const std::string& spec, const std::string& filter = "",
                                        asncounter::PcapDirection direction = asncounter::PcapDirection::in) {
  asncounter::InputOptions options;
  options.bpf_filter = filter;
  options.direction = direction;
  auto input = asncounter::make_input(spec, options);
  INFO(spec << ": " << (input ? "" : input.error()));
  REQUIRE(input);
  return std::move(*input);
}

// Replays a file to its end and returns the input's final counters.
asncounter::InputCounters replay(const std::filesystem::path& file, Collected& got,
                                 const std::string& filter = "") {
  auto input = make("pcap-file:" + file.string(), filter);
  input->start(got.sink());
  input->wait();
  auto c = input->counters();
  input->stop();
  return c;
}

// Polls `done` until it holds or `limit` passes (a generous bound, not a timing).
bool eventually(const std::function<bool()>& done, std::chrono::seconds limit = std::chrono::seconds(20)) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

struct Expected {
  std::uint64_t events = 0;
  std::uint64_t rejected = 0;
  std::uint64_t non_ip = 0;  // ARP: counted apart from the broken packets
  std::uint64_t bytes = 0;
};

// Writes, for one link type: v4 and v6 packets (some cut by the snap length),
// and, where the link type can say so, ARP frames and frames cut inside the
// IP header. Returns what a replay must count.
Expected write_mixed(const std::filesystem::path& path, int link, std::size_t v4_packets) {
  test::PcapWriter w(path, link, 96);
  Expected e;
  const Address src4 = addr("192.0.2.1");
  const Address src6 = addr("2001:db8::1");
  for (std::size_t i = 0; i < v4_packets; ++i) {
    const auto payload = static_cast<std::uint16_t>(i % 1400);  // many are cut at 96 bytes
    w.write(test::frame(link, test::udp_packet(src4, addr("198.51.100.1"), payload)));
    e.bytes += test::udp_packet_ip_length(Family::v4, payload);
    ++e.events;
  }
  for (const std::uint16_t payload : {std::uint16_t{0}, std::uint16_t{10}, std::uint16_t{500}}) {
    w.write(test::frame(link, test::udp_packet(src6, addr("2001:db8::2"), payload)));
    e.bytes += test::udp_packet_ip_length(Family::v6, payload);
    ++e.events;
  }
  auto cut = test::frame(link, test::udp_packet(src6, addr("2001:db8::2"), 0));
  cut.resize(cut.size() - 30);  // inside the IPv6 header
  w.write(cut, 100);
  ++e.rejected;
  if (link == linktype::ethernet || link == linktype::linux_sll || link == linktype::linux_sll2) {
    test::FrameOptions arp;
    arp.ethertype = 0x0806;
    w.write(test::frame(link, test::arp_request(src4, addr("192.0.2.2")), arp));
    ++e.non_ip;
  }
  w.close();
  return e;
}

}  // namespace

TEST_CASE("pcap-file replay: every link type counts exactly", "[pcap_source]") {
  test::TempDir dir;
  for (int link : {linktype::ethernet, linktype::linux_sll, linktype::linux_sll2, linktype::raw_file,
                   linktype::ipv4, linktype::null, linktype::loop}) {
    INFO("link type " << link);
    const auto path = dir / ("l" + std::to_string(link) + ".pcap");
    // 1300 IPv4 packets: two full batches and a partial one flushed at the end.
    Expected e = write_mixed(path, link, link == linktype::ipv4 ? 0 : 1300);
    if (link == linktype::ipv4) {  // IPv4-only link: its IPv6 frames are rejected too
      e.rejected += 3;
      e.events -= 3;
      e.bytes = 0;
    }
    Collected got;
    const auto c = replay(path, got);
    CHECK(c.state.phase == asncounter::InputPhase::finished);
    CHECK(c.events == e.events);
    CHECK(c.rejected == e.rejected);
    CHECK(c.non_ip == e.non_ip);
    CHECK(got.hits == e.events);
    CHECK(got.bytes == e.bytes);
    CHECK(got.every_batch_has_bytes);
    if (e.events == 1303) {
      CHECK(got.batches == 3);
      CHECK(got.by_address["192.0.2.1"] == 1300);
      CHECK(got.by_address["2001:db8::1"] == 3);
    }
  }
}

TEST_CASE("pcap-file replay: VLAN stacks and both loopback byte orders", "[pcap_source]") {
  test::TempDir dir;
  test::PcapWriter eth(dir / "vlan.pcap", linktype::ethernet);
  std::uint64_t bytes = 0;
  for (const std::vector<std::uint16_t>& tags :
       {std::vector<std::uint16_t>{}, {0x8100}, {0x88A8, 0x8100}, {0x9100, 0x8100, 0x8100}}) {
    test::FrameOptions o;
    o.vlan_tpids = tags;
    eth.write(
        test::frame(linktype::ethernet, test::udp_packet(addr("203.0.113.9"), addr("192.0.2.1"), 7), o));
    eth.write(
        test::frame(linktype::ethernet, test::udp_packet(addr("2001:db8::9"), addr("2001:db8::1"), 7), o));
    bytes += 35 + 55;
  }
  eth.close();
  Collected got;
  auto c = replay(dir / "vlan.pcap", got);
  CHECK(c.events == 8);
  CHECK(c.rejected == 0);
  CHECK(got.bytes == bytes);
  CHECK(got.by_address["203.0.113.9"] == 4);
  CHECK(got.by_address["2001:db8::9"] == 4);

  test::PcapWriter null(dir / "null.pcap", linktype::null);
  for (bool swapped : {false, true}) {
    test::FrameOptions o;
    o.loopback_swapped = swapped;
    o.loopback_inet6 = swapped ? 30 : 28;
    null.write(test::frame(linktype::null, test::udp_packet(addr("192.0.2.5"), addr("192.0.2.1"), 1), o));
    null.write(test::frame(linktype::null, test::udp_packet(addr("2001:db8::5"), addr("2001:db8::1"), 1), o));
  }
  null.close();
  Collected got_null;
  c = replay(dir / "null.pcap", got_null);
  CHECK(c.events == 4);
  CHECK(got_null.by_address["192.0.2.5"] == 2);
  CHECK(got_null.by_address["2001:db8::5"] == 2);
}

TEST_CASE("pcap-file replay: swapped byte order and pcapng files", "[pcap_source]") {
  test::TempDir dir;
  std::vector<std::vector<std::uint8_t>> frames;
  std::uint64_t bytes = 0;
  for (std::uint16_t i = 0; i < 600; ++i) {
    const bool v6 = i % 3 == 0;
    frames.push_back(
        test::frame(linktype::linux_sll2, v6 ? test::udp_packet(addr("2001:db8::7"), addr("2001:db8::1"), i)
                                             : test::udp_packet(addr("192.0.2.7"), addr("192.0.2.1"), i)));
    bytes += test::udp_packet_ip_length(v6 ? Family::v6 : Family::v4, i);
  }
  test::PcapWriter swapped(dir / "swapped.pcap", linktype::linux_sll2, 80, true);
  for (const auto& f : frames) swapped.write(f);
  swapped.close();
  Collected got;
  auto c = replay(dir / "swapped.pcap", got);
  CHECK(c.state.phase == asncounter::InputPhase::finished);
  CHECK(c.events == 600);
  CHECK(got.bytes == bytes);
  CHECK(got.by_address["2001:db8::7"] == 200);

  // pcapng goes through libpcap's reader: same counts, same filter support.
  test::write_pcapng(dir / "a.pcapng", linktype::linux_sll2, frames);
  Collected ng;
  c = replay(dir / "a.pcapng", ng);
  CHECK(c.state.phase == asncounter::InputPhase::finished);
  CHECK(c.events == 600);
  CHECK(ng.bytes == bytes);
  Collected ng6;
  c = replay(dir / "a.pcapng", ng6, "ip6");
  CHECK(c.events == 200);
  CHECK(ng6.by_address.size() == 1);
}

TEST_CASE("pcap-file replay: a BPF filter selects packets", "[pcap_source]") {
  test::TempDir dir;
  const auto path = dir / "mixed.pcap";
  write_mixed(path, linktype::ethernet, 100);
  Collected v6;
  auto c = replay(path, v6, "ip6");
  // The frame cut inside its IPv6 header still matches "ip6" and is rejected.
  CHECK(c.events == 3);
  CHECK(c.rejected == 1);
  CHECK(v6.by_address.size() == 1);
  CHECK(v6.by_address["2001:db8::1"] == 3);

  Collected arp;
  c = replay(path, arp, "arp");
  CHECK(c.events == 0);
  CHECK(c.rejected == 0);
  CHECK(c.non_ip == 1);  // a frame without an IP address, not a broken packet
  CHECK(arp.batches == 0);
}

TEST_CASE("pcap-file replay: bad specs fail at creation with a clear message", "[pcap_source]") {
  test::TempDir dir;
  asncounter::InputOptions options;
  auto missing = asncounter::make_input("pcap-file:" + (dir / "nope.pcap").string(), options);
  REQUIRE_FALSE(missing);
  CHECK_THAT(missing.error(), Catch::Contains("nope.pcap"));

  write_mixed(dir / "ok.pcap", linktype::ethernet, 1);
  options.bpf_filter = "udp and port";
  auto bad_filter = asncounter::make_input("pcap-file:" + (dir / "ok.pcap").string(), options);
  REQUIRE_FALSE(bad_filter);
  CHECK_THAT(bad_filter.error(), Catch::Contains("bad filter"));
  auto bad_live_filter = asncounter::make_input("pcap:lo", options);
  REQUIRE_FALSE(bad_live_filter);
  CHECK_THAT(bad_live_filter.error(), Catch::Contains("bad filter"));

  options.bpf_filter.clear();
  { test::PcapWriter wifi(dir / "wifi.pcap", 105); }  // IEEE 802.11: not decoded
  auto wifi = asncounter::make_input("pcap-file:" + (dir / "wifi.pcap").string(), options);
  REQUIRE_FALSE(wifi);
  CHECK_THAT(wifi.error(), Catch::Contains("link type"));
}

TEST_CASE("pcap-file replay: a file cut mid-record counts what came before", "[pcap_source]") {
  test::TempDir dir;
  const auto path = dir / "cut.pcap";
  write_mixed(path, linktype::raw_file, 20);
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 5);
  Collected got;
  auto c = replay(path, got);
  CHECK(c.state.phase == asncounter::InputPhase::error);
  CHECK(c.events == 23);  // 20 IPv4 + 3 IPv6; the damaged last record is lost
  CHECK(got.hits == 23);
}

TEST_CASE("pcap-file replay: stop() before the end returns and flushes", "[pcap_source]") {
  test::TempDir dir;
  write_mixed(dir / "a.pcap", linktype::ethernet, 50000);
  Collected got;
  auto input = make("pcap-file:" + (dir / "a.pcap").string());
  input->start(got.sink());
  input->stop();
  const auto c = input->counters();
  CHECK((c.state.phase == asncounter::InputPhase::stopped ||
         c.state.phase == asncounter::InputPhase::finished));
  CHECK(got.hits == c.events);
  input->wait();  // returns at once once stopped
}

TEST_CASE("pcap live: UDP to 127.0.0.1 and ::1 on lo is counted exactly", "[pcap_source][live]") {
  if (auto probe = asncounter::open_live("lo", "", PCAP_D_IN); !probe)
    ASNCOUNTER_SKIP("live capture not permitted here (needs root or CAP_NET_RAW): " + probe.error());
  // One dual-stack socket sends both families from the same port, which the filter names.
  const int receiver = socket(AF_INET6, SOCK_DGRAM, 0);
  const int sender = socket(AF_INET6, SOCK_DGRAM, 0);
  REQUIRE(receiver >= 0);
  REQUIRE(sender >= 0);
  int off = 0;
  setsockopt(receiver, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
  setsockopt(sender, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
  sockaddr_in6 any{};
  any.sin6_family = AF_INET6;
  any.sin6_addr = in6addr_any;
  REQUIRE(bind(receiver, reinterpret_cast<sockaddr*>(&any), sizeof any) == 0);
  REQUIRE(bind(sender, reinterpret_cast<sockaddr*>(&any), sizeof any) == 0);
  sockaddr_in6 named{};
  socklen_t len = sizeof named;
  getsockname(sender, reinterpret_cast<sockaddr*>(&named), &len);
  const unsigned sport = ntohs(named.sin6_port);
  len = sizeof named;
  getsockname(receiver, reinterpret_cast<sockaddr*>(&named), &len);
  const std::uint16_t rport = named.sin6_port;

  Collected got;
  auto input = make("pcap:lo", "udp and port " + std::to_string(sport), asncounter::PcapDirection::in);
  input->start(got.sink());
  REQUIRE(eventually([&] { return input->counters().state.phase == asncounter::InputPhase::running; }));

  constexpr int kEach = 40;
  constexpr std::uint16_t kPayload = 100;
  const std::vector<char> payload(kPayload, 'x');
  sockaddr_in6 to4{};
  to4.sin6_family = AF_INET6;
  to4.sin6_port = rport;
  inet_pton(AF_INET6, "::ffff:127.0.0.1", &to4.sin6_addr);
  sockaddr_in6 to6 = to4;
  to6.sin6_addr = in6addr_loopback;
  for (int i = 0; i < kEach; ++i) {
    REQUIRE(sendto(sender, payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&to4),
                   sizeof to4) == kPayload);
    REQUIRE(sendto(sender, payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&to6),
                   sizeof to6) == kPayload);
  }
  const bool all_seen = eventually([&] {
    std::lock_guard lock(got.mutex);
    return got.hits >= 2 * kEach;
  });
  input->stop();
  close(sender);
  close(receiver);
  const auto c = input->counters();
  CHECK(all_seen);
  CHECK(c.state.phase == asncounter::InputPhase::stopped);
  CHECK(c.events == 2 * kEach);
  CHECK(c.rejected == 0);
  CHECK(got.hits == 2 * kEach);
  CHECK(got.by_address["127.0.0.1"] == kEach);
  CHECK(got.by_address["::1"] == kEach);
  CHECK(got.bytes == kEach * (test::udp_packet_ip_length(Family::v4, kPayload) +
                              test::udp_packet_ip_length(Family::v6, kPayload)));
}

TEST_CASE("pcap live: an interface that vanishes is an error state, then recovers", "[pcap_source][live]") {
  const std::string name = "acp" + std::to_string(getpid() % 100000);
  const std::string peer = name + "p";
  const std::string add = "ip link add " + name + " type veth peer name " + peer + " 2>&1 && ip link set " +
                          name + " up && ip link set " + peer + " up";
  if (auto r = test::run_command(add); r.status != 0)
    ASNCOUNTER_SKIP("cannot create a veth pair (needs root and veth support): " + r.out);
  if (auto probe = asncounter::open_live(name, "", PCAP_D_IN); !probe) {
    test::run_command("ip link del " + name);
    ASNCOUNTER_SKIP("live capture not permitted here: " + probe.error());
  }
  Collected got;
  auto input = make("pcap:" + name);
  input->start(got.sink());
  REQUIRE(eventually([&] { return input->counters().state.phase == asncounter::InputPhase::running; }));

  REQUIRE(test::run_command("ip link del " + name).status == 0);
  const bool errored =
      eventually([&] { return input->counters().state.phase == asncounter::InputPhase::error; });
  const std::string error_state = input->counters().state.text();
  INFO("state: " << error_state);
  CHECK(errored);
  CHECK_THAT(error_state, Catch::Contains(name));

  // Same name again: the input reopens it by itself.
  REQUIRE(test::run_command(add).status == 0);
  const bool recovered =
      eventually([&] { return input->counters().state.phase == asncounter::InputPhase::running; });
  const auto c = input->counters();
  input->stop();
  test::run_command("ip link del " + name);
  CHECK(recovered);
  CHECK(c.reopens == 1);
  CHECK(input->counters().state.phase == asncounter::InputPhase::stopped);
}
