// Hostile flow datagrams (issue 27): counts near 2^64 that stalled the flow
// thread for seconds and wrapped a prefix's hits to 0, sampling rates that
// inflated ten samples to 43 billion hits, a template flood from 32 sources
// that locked a real exporter out. Each goes through the code the flow
// inputs run: the collector (decode, ceilings, overrides) and FlowCounter's
// batches into a CounterStore.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "common/ip.hpp"
#include "daemon/input/flow/flow_collector.hpp"
#include "daemon/input/flow/flow_counter.hpp"
#include "daemon/input/flow/record_bounds.hpp"
#include "daemon/store/counter_store.hpp"
#include "daemon/store/event_batch.hpp"
#include "tests/support/addresses.hpp"
#include "tests/support/sanitizer_bounds.hpp"
#include "tests/support/tables.hpp"
#include "tests/tools/flow_writer.hpp"

namespace {

using asncounter::Address;
using asncounter::CounterStore;
using asncounter::EventBatch;
using asncounter::Family;
using asncounter::flow::ExporterStats;
using asncounter::flow::FlowCollector;
using asncounter::flow::FlowCounter;
using asncounter::flow::FlowPort;
using asncounter::flow::FlowRecord;
using asncounter::flow::Reject;
using asncounter::test::FlowSpec;
using asncounter::test::SflowSample;
using asncounter::test::TemplateMessage;
using Bytes = std::vector<std::uint8_t>;
using Clock = std::chrono::steady_clock;

const Address kVictim = *asncounter::parse_address("192.0.2.33");
const Address kOther = *asncounter::parse_address("198.51.100.7");
const Address kExporter = *asncounter::parse_address("203.0.113.1");

Bytes records(const std::vector<FlowSpec>& flows) {
  Bytes out;
  for (const FlowSpec& f : flows) asncounter::test::append_flow_record(out, f);
  return out;
}

/// The records refused for `reason` (by its stats name), whatever its enum value.
std::uint64_t refused(const ExporterStats& s, std::string_view reason) {
  std::uint64_t n = 0;
  for (std::size_t i = 0; i < asncounter::flow::kRejectReasons; ++i)
    if (asncounter::flow::to_string(static_cast<Reject>(i)) == reason) n += s.rejected[i];
  return n;
}

std::uint64_t prefix_hits(CounterStore& store, std::string_view prefix) {
  for (const auto& row : store.top_prefixes(0).rows)
    if (row.prefix && asncounter::to_string(*row.prefix) == prefix) return row.counts.hits;
  return 0;
}

/// A collector and a counter feeding a store, as a flow input has them.
struct Pipeline {
  CounterStore store{asncounter::test::table_of({{"192.0.2.0/24", 64496}, {"198.51.100.0/24", 64497}})};
  FlowCollector collector;
  FlowCounter counter{false, 1, [this](const EventBatch& b) { store.add(b); }};
  std::vector<FlowRecord> out;

  explicit Pipeline(FlowPort port) : collector(port) {}

  void receive(const Address& from, const Bytes& d, std::int64_t now = 1000) {
    out.clear();
    collector.receive(from, d, now, out);
    for (const FlowRecord& f : out) counter.count(f);
    counter.flush();
  }
};

}  // namespace

TEST_CASE("flow: a 2^64-packets datagram costs under 1 ms and changes no count below it",
          "[flow][adversarial]") {
  Pipeline p(FlowPort::netflow);
  const Bytes tmpl =
      TemplateMessage(10, 0, 0).add_template(256, asncounter::test::flow_fields(Family::v4)).finish();
  p.receive(kExporter, tmpl);
  p.receive(kExporter,
            TemplateMessage(10, 0, 0).add_data(256, records({{kVictim, kOther, 10, 1000}})).finish());
  REQUIRE(prefix_hits(p.store, "192.0.2.0/24") == 10);

  // Three records claiming 2^64-1, 2^64-10 and 2^63 packets: the review's
  // 20.8 s of CPU each (2^32 batch slots), and a hit count wrapped to 0.
  const std::uint64_t max = UINT64_MAX;
  const Bytes huge = TemplateMessage(10, 1, 0)
                         .add_data(256, records({{kVictim, kOther, max, 1000},
                                                 {kVictim, kOther, max - 9, 1000},
                                                 {kVictim, kOther, std::uint64_t{1} << 63, max}}))
                         .finish();
  const auto start = Clock::now();
  p.receive(kExporter, huge);
  const auto took = Clock::now() - start;
  CHECK(took < asncounter::test::time_bound(std::chrono::milliseconds(1)));
  CHECK(prefix_hits(p.store, "192.0.2.0/24") == 10);
  const ExporterStats* s = p.collector.stats(kExporter);
  REQUIRE(s);
  CHECK(refused(*s, "packets-too-high") == 3);
  CHECK(s->records == 1);
}

TEST_CASE("flow: a count past 2^64 saturates in one batch slot and never wraps a prefix's hits",
          "[flow][adversarial]") {
  // Past the collector (an override, a future decoder): FlowCounter and the
  // store alone must hold, in time independent of the count.
  CounterStore store(asncounter::test::table_of({{"192.0.2.0/24", 64496}}));
  FlowCounter counter(false, 1, [&](const EventBatch& b) { store.add(b); });
  FlowRecord f;
  f.source = kVictim;
  f.destination = kOther;
  f.packets = 10;
  counter.count(f);
  counter.flush();
  f.packets = UINT64_MAX - 5;  // with the 10 already there: past 2^64
  f.sampling_rate = 3;
  const auto start = Clock::now();
  counter.count(f);
  counter.count(f);
  counter.flush();
  CHECK(Clock::now() - start < asncounter::test::time_bound(std::chrono::milliseconds(1)));
  CHECK(prefix_hits(store, "192.0.2.0/24") == UINT64_MAX);
  CHECK(store.top_asns(0).total.hits == UINT64_MAX);
}

TEST_CASE("flow: ten sFlow samples claiming 1 in 4,294,967,295 add nothing, refused and counted",
          "[flow][adversarial]") {
  Pipeline p(FlowPort::sflow);
  std::vector<SflowSample> samples(10);
  for (auto& s : samples) {
    s.kind = SflowSample::Kind::sampled_ipv4;
    s.flow = FlowSpec{kVictim, kOther, 1, 1500};
    s.rate = UINT32_MAX;
  }
  p.receive(kExporter, asncounter::test::sflow_v5(kExporter, 1, samples));
  CHECK(p.store.top_asns(0).total.hits == 0);
  CHECK(p.store.top_asns(0).total.bytes == 0);
  const ExporterStats* s = p.collector.stats(kExporter);
  REQUIRE(s);
  CHECK(refused(*s, "sampling-too-high") == 10);
  CHECK(s->records == 0);
  CHECK(s->datagrams == 1);

  // At the ceiling (65,536 by default) a sample still counts.
  for (auto& sample : samples) sample.rate = 65536;
  p.receive(kExporter, asncounter::test::sflow_v5(kExporter, 2, samples));
  CHECK(p.store.top_asns(0).total.hits == 10 * 65536);
}

TEST_CASE("flow: a sampling override wins over the exporter's rate and past the ceiling",
          "[flow][adversarial]") {
  FlowCollector::Limits limits;
  limits.overrides = *asncounter::flow::parse_sampling_overrides("203.0.113.0/24=1000, 203.0.113.1=100000");
  FlowCollector c(FlowPort::sflow, limits);
  std::vector<FlowRecord> out;
  std::vector<SflowSample> samples(2);
  for (auto& s : samples) {
    s.kind = SflowSample::Kind::sampled_ipv4;
    s.flow = FlowSpec{kVictim, kOther, 1, 100};
    s.rate = UINT32_MAX;
  }
  c.receive(kExporter, asncounter::test::sflow_v5(kExporter, 1, samples), 1000, out);
  REQUIRE(out.size() == 2);
  CHECK(out[0].sampling_rate == 100000);  // the longest prefix: the operator's word, not the ceiling
  out.clear();
  const Address neighbour = *asncounter::parse_address("203.0.113.2");
  c.receive(neighbour, asncounter::test::sflow_v5(neighbour, 1, samples), 1000, out);
  REQUIRE(out.size() == 2);
  CHECK(out[1].sampling_rate == 1000);
  CHECK_FALSE(asncounter::flow::parse_sampling_overrides("203.0.113.0/24"));
  CHECK_FALSE(asncounter::flow::parse_sampling_overrides("203.0.113.0/24=0"));
  CHECK_FALSE(asncounter::flow::parse_sampling_overrides("router=10"));
}

TEST_CASE("flow: a real exporter's records are all counted during a 32-source template flood",
          "[flow][adversarial]") {
  Pipeline p(FlowPort::netflow);
  // 32 sources × 512 templates each, as in the review: the old global cap
  // (16,384) was full and the real exporter's templates were refused.
  for (std::uint32_t src = 0; src < 32; ++src) {
    const Address spoofed = Address::from_v4(0xC6336400U + 100 + src);  // 198.51.100.100+
    for (std::uint16_t first = 256; first < 256 + 512; first += 32) {
      TemplateMessage m(10, first, 0);
      for (std::uint16_t id = first; id < first + 32; ++id)
        m.add_template(id, asncounter::test::flow_fields(Family::v4));
      p.receive(spoofed, m.finish());
    }
  }
  std::uint64_t counted = 0;
  for (std::uint32_t round = 0; round < 5; ++round) {
    // The real exporter (re)sends its template with its data, as routers do.
    p.receive(kExporter, TemplateMessage(10, round, 0)
                             .add_template(300, asncounter::test::flow_fields(Family::v4))
                             .add_data(300, records({{kVictim, kOther, 7, 700}, {kVictim, kOther, 3, 300}}))
                             .finish());
    counted += 10;
    // The flood goes on, refreshing and adding templates between them.
    for (std::uint32_t src = 0; src < 32; ++src) {
      const Address spoofed = Address::from_v4(0xC6336400U + 100 + src);
      TemplateMessage m(10, round, 0);
      for (std::uint16_t id = 1000; id < 1032; ++id)
        m.add_template(static_cast<std::uint16_t>(id + round * 32),
                       asncounter::test::flow_fields(Family::v4));
      p.receive(spoofed, m.finish());
    }
  }
  CHECK(prefix_hits(p.store, "192.0.2.0/24") == counted);
  const ExporterStats* s = p.collector.stats(kExporter);
  REQUIRE(s);
  CHECK(s->records == 10);
  CHECK(s->no_template == 0);
  CHECK(refused(*s, "template-limit") == 0);
}

TEST_CASE("flow: exporter stat slots go by recent activity, not first come", "[flow][adversarial]") {
  FlowCollector::Limits limits;
  limits.max_exporters = 4;
  FlowCollector c(FlowPort::netflow, limits);
  std::vector<FlowRecord> out;
  const Bytes v5 = asncounter::test::netflow_v5({{kVictim, kOther, 1, 100}}, 0);
  // A spoofer takes every slot first.
  for (std::uint32_t i = 0; i < 4; ++i) c.receive(Address::from_v4(0xC6336464U + i), v5, 1000, out);
  c.receive(kExporter, v5, 1030, out);
  CHECK(c.stats(kExporter) == nullptr);  // every slot busy within the minute: "other"
  CHECK(c.other_stats().datagrams == 1);
  // A minute later the spoofer has gone quiet: the real exporter gets a slot,
  // and the spoofer's counts move to "other" (no total goes down).
  c.receive(kExporter, v5, 1061, out);
  REQUIRE(c.stats(kExporter) != nullptr);
  CHECK(c.stats(kExporter)->datagrams == 1);
  CHECK(c.other_stats().datagrams == 2);
  CHECK(c.exporters() == 4);
  // An active exporter keeps its slot against newcomers.
  for (std::uint32_t i = 0; i < 10; ++i) {
    c.receive(kExporter, v5, 1062 + i, out);
    c.receive(Address::from_v4(0xC6336500U + i), v5, 1062 + i, out);
  }
  CHECK(c.stats(kExporter)->datagrams == 11);
}

TEST_CASE("flow: a change of an exporter's sampling rate is told once", "[flow][adversarial]") {
  FlowCollector c(FlowPort::netflow);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> changes;
  c.on_rate_change([&](const Address& a, std::uint32_t from, std::uint32_t to) {
    CHECK(a == kExporter);
    changes.emplace_back(from, to);
  });
  std::vector<FlowRecord> out;
  const auto v5 = [](std::uint16_t rate) {
    return asncounter::test::netflow_v5({{kVictim, kOther, 1, 100}}, 0,
                                        static_cast<std::uint16_t>(0x4000 | rate));
  };
  c.receive(kExporter, v5(100), 1000, out);
  c.receive(kExporter, v5(100), 1000, out);
  c.receive(kExporter, v5(200), 1000, out);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0] == std::make_pair(100U, 200U));
}
