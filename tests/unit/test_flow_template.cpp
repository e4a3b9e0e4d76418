// NetFlow v9 and IPFIX through the template cache: templates and data read
// back field by field, options data giving the sampling rate, variable-length
// and enterprise fields skipped, withdrawal, expiry, and the hostile cases
// (truncation at every byte, lying lengths, templates of 0 or 65,535 fields,
// a template flood that must leave the cache at its cap).
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "common/ip.hpp"
#include "daemon/input/flow/template_cache.hpp"
#include "daemon/input/flow/template_flow.hpp"
#include "tests/tools/flow_writer.hpp"

namespace {

using asncounter::Address;
using asncounter::Family;
using asncounter::flow::DecodeResult;
using asncounter::flow::FlowRecord;
using asncounter::flow::Reject;
using asncounter::flow::TemplateCache;
using asncounter::flow::TemplateLimits;
using asncounter::test::FieldSpec;
using asncounter::test::FlowSpec;
using asncounter::test::TemplateMessage;
using Bytes = std::vector<std::uint8_t>;

const Address kSrc4 = *asncounter::parse_address("192.0.2.33");
const Address kDst4 = *asncounter::parse_address("198.51.100.7");
const Address kSrc6 = *asncounter::parse_address("2001:db8:1:2::33");
const Address kDst6 = *asncounter::parse_address("2001:db8::53");
const Address kExporter = *asncounter::parse_address("203.0.113.1");
const Address kExporter2 = *asncounter::parse_address("203.0.113.2");

Bytes records(const std::vector<FlowSpec>& flows) {
  Bytes out;
  for (const FlowSpec& f : flows) asncounter::test::append_flow_record(out, f);
  return out;
}

DecodeResult decode(int version, const Bytes& d, TemplateCache& cache, std::vector<FlowRecord>& out,
                    std::int64_t now = 1000, const Address& exporter = kExporter) {
  return version == 9 ? asncounter::flow::decode_netflow_v9(d, exporter, cache, now, out)
                      : asncounter::flow::decode_ipfix(d, exporter, cache, now, out);
}

Bytes prefix(const Bytes& d, std::size_t n) {
  return Bytes(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(n));
}

}  // namespace

TEST_CASE("v9 and ipfix: templates then data, IPv4 and IPv6, every field", "[flow][template]") {
  const int version = GENERATE(9, 10);
  INFO("version " << version);
  TemplateCache cache;
  const Bytes d = TemplateMessage(version, 500, 42)
                      .add_template(256, asncounter::test::flow_fields(Family::v4))
                      .add_template(257, asncounter::test::flow_fields(Family::v6))
                      .add_data(256, records({{kSrc4, kDst4, 7, 700}, {kDst4, kSrc4, 1, 40}}), true)
                      .add_data(257, records({{kSrc6, kDst6, 9, 9000}}))
                      .finish();
  std::vector<FlowRecord> out;
  const DecodeResult r = decode(version, d, cache, out);
  REQUIRE(r.reject == Reject::none);
  CHECK(r.templates == 2);
  CHECK(r.no_template == 0);
  REQUIRE(r.records == 3);
  REQUIRE(out.size() == 3);
  CHECK(out[0].source == kSrc4);
  CHECK(out[0].destination == kDst4);
  CHECK(out[0].packets == 7);
  CHECK(out[0].octets == 700);
  CHECK(out[0].sampling_rate == 0);
  CHECK(out[1].source == kDst4);
  CHECK(out[1].packets == 1);
  CHECK(out[1].octets == 40);
  CHECK(out[2].source == kSrc6);
  CHECK(out[2].destination == kDst6);
  CHECK(out[2].packets == 9);
  CHECK(out[2].octets == 9000);
  CHECK(r.domain == 42);
  CHECK(r.sequence == 500);
  // v9 counts datagrams, IPFIX data records.
  CHECK(r.next_sequence == (version == 9 ? 501U : 503U));
  CHECK(cache.size() == 2);
}

TEST_CASE("v9 and ipfix: data before its template is counted as no_template, then decoded",
          "[flow][template]") {
  const int version = GENERATE(9, 10);
  TemplateCache cache;
  std::vector<FlowRecord> out;
  const Bytes data = TemplateMessage(version, 1, 0).add_data(300, records({{kSrc4, kDst4, 2, 200}})).finish();
  DecodeResult r = decode(version, data, cache, out);
  CHECK(r.reject == Reject::none);
  CHECK(r.no_template == 1);
  CHECK(r.records == 0);
  CHECK(out.empty());
  if (version == 10) CHECK_FALSE(r.next_known);
  const Bytes tmpl =
      TemplateMessage(version, 2, 0).add_template(300, asncounter::test::flow_fields(Family::v4)).finish();
  REQUIRE(decode(version, tmpl, cache, out).templates == 1);
  r = decode(version, data, cache, out);
  CHECK(r.no_template == 0);
  REQUIRE(out.size() == 1);
  CHECK(out[0].octets == 200);
  // Templates are per exporter and per domain: another one has no template 300.
  const Bytes other_domain =
      TemplateMessage(version, 1, 1).add_data(300, records({{kSrc4, kDst4, 2, 200}})).finish();
  CHECK(decode(version, other_domain, cache, out).no_template == 1);
  CHECK(decode(version, data, cache, out, 1000, kExporter2).no_template == 1);
}

TEST_CASE("v9 and ipfix: sampling from options data, and from a record's own field", "[flow][template]") {
  const int version = GENERATE(9, 10);
  TemplateCache cache;
  std::vector<FlowRecord> out;
  // Options: scope = the system (1, 4 bytes), options = samplingInterval (34, 4 bytes).
  Bytes option_record = {0, 0, 0, 1, 0, 0, 0x03, 0xE8};  // scope 1, interval 1000
  const Bytes d = TemplateMessage(version, 1, 0)
                      .add_options_template(400, {{1, 4}}, {{34, 4}})
                      .add_data(400, option_record)
                      .add_template(256, asncounter::test::flow_fields(Family::v4))
                      .add_data(256, records({{kSrc4, kDst4, 1, 64}}))
                      .finish();
  DecodeResult r = decode(version, d, cache, out);
  REQUIRE(r.reject == Reject::none);
  REQUIRE(out.size() == 1);
  CHECK(out[0].sampling_rate == 1000);
  CHECK(r.sampling_rate == 1000);

  // A record's own samplingPacketInterval/Space wins: 1 taken, 99 skipped = 1 in 100.
  std::vector<FieldSpec> fields = asncounter::test::flow_fields(Family::v4);
  fields.push_back({305, 4});
  fields.push_back({306, 4});
  Bytes rec = records({{kSrc4, kDst4, 3, 300}});
  for (const std::uint8_t b : std::initializer_list<std::uint8_t>{0, 0, 0, 1, 0, 0, 0, 99}) rec.push_back(b);
  const Bytes d2 = TemplateMessage(version, 2, 0).add_template(257, fields).add_data(257, rec).finish();
  out.clear();
  r = decode(version, d2, cache, out);
  REQUIRE(out.size() == 1);
  CHECK(out[0].sampling_rate == 100);
  CHECK(out[0].packets == 3);
}

TEST_CASE("ipfix: variable-length and enterprise fields are skipped by their length", "[flow][template]") {
  TemplateCache cache;
  std::vector<FlowRecord> out;
  // interfaceName (82, variable), an enterprise counter (id 1 of PEN 9: not octets), reduced-size counters.
  const std::vector<FieldSpec> fields = {{82, 65535}, {8, 4}, {1, 4, 9},  {12, 4},
                                         {2, 2},      {1, 4}, {82, 65535}};
  Bytes recs;
  auto put = [&recs](std::initializer_list<std::uint8_t> b) { recs.insert(recs.end(), b); };
  // Record 1: a 3-byte name (short length form), then a 300-byte name (255 + 2-byte length).
  put({3, 'e', 't', '0'});
  put({192, 0, 2, 33, 0xFF, 0xFF, 0xFF, 0xFF, 198, 51, 100, 7, 0, 5, 0, 0, 0x01, 0xF4});
  put({255, 0x01, 0x2C});
  recs.insert(recs.end(), 300, 'x');
  // Record 2: empty names.
  put({0});
  put({198, 51, 100, 7, 0, 0, 0, 1, 192, 0, 2, 33, 0, 1, 0, 0, 0, 40});
  put({0});
  const Bytes d = TemplateMessage(10, 1, 0).add_template(256, fields).add_data(256, recs).finish();
  const DecodeResult r = decode(10, d, cache, out);
  REQUIRE(r.reject == Reject::none);
  REQUIRE(out.size() == 2);
  CHECK(out[0].source == kSrc4);
  CHECK(out[0].destination == kDst4);
  CHECK(out[0].packets == 5);
  CHECK(out[0].octets == 500);
  CHECK(out[1].source == kDst4);
  CHECK(out[1].packets == 1);
  CHECK(out[1].octets == 40);
  CHECK(r.next_sequence == 3);

  // A variable length running past the set is a lie.
  Bytes lie = recs;
  lie[0] = 255;  // a 3-byte length form whose length ("et" = 25,972) runs past the set
  out.clear();
  const Bytes d2 = TemplateMessage(10, 1, 0).add_data(256, lie).finish();
  CHECK(decode(10, d2, cache, out).reject == Reject::length_lies);
  CHECK(out.empty());
}

TEST_CASE("ipfix: template withdrawal, one and all, and expiry", "[flow][template]") {
  TemplateLimits limits;
  limits.ttl_seconds = 600;
  TemplateCache cache(limits);
  std::vector<FlowRecord> out;
  const Bytes tmpl = TemplateMessage(10, 1, 0)
                         .add_template(256, asncounter::test::flow_fields(Family::v4))
                         .add_template(257, asncounter::test::flow_fields(Family::v6))
                         .finish();
  REQUIRE(decode(10, tmpl, cache, out).templates == 2);
  const Bytes data = TemplateMessage(10, 1, 0).add_data(256, records({{kSrc4, kDst4, 1, 1}})).finish();
  CHECK(decode(10, data, cache, out).records == 1);
  const Bytes withdraw = TemplateMessage(10, 2, 0).add_template(256, {}).finish();
  CHECK(decode(10, withdraw, cache, out).withdrawn == 1);
  CHECK(cache.size() == 1);
  CHECK(decode(10, data, cache, out).no_template == 1);
  const Bytes withdraw_all = TemplateMessage(10, 2, 0).add_template(2, {}).finish();
  CHECK(decode(10, withdraw_all, cache, out).withdrawn == 1);
  CHECK(cache.size() == 0);

  // Expiry: a template not refreshed within the TTL no longer decodes data.
  REQUIRE(decode(10, tmpl, cache, out, 1000).templates == 2);
  CHECK(decode(10, data, cache, out, 1600).records == 1);
  CHECK(decode(10, data, cache, out, 1601).no_template == 1);
}

TEST_CASE("v9 and ipfix: templates of 0 or 65535 fields are rejected and stored nowhere",
          "[flow][template]") {
  const int version = GENERATE(9, 10);
  TemplateCache cache;
  std::vector<FlowRecord> out;
  // v9 has no withdrawal: 0 fields is a bad template. IPFIX: 0 fields in an options template with a scope.
  if (version == 9) {
    const Bytes zero = TemplateMessage(9, 1, 0).add_template(256, {}).finish();
    CHECK(decode(9, zero, cache, out).reject == Reject::bad_template);
  } else {
    const Bytes zero_scope = TemplateMessage(10, 1, 0).add_options_template(400, {}, {{34, 4}}).finish();
    CHECK(decode(10, zero_scope, cache, out).reject == Reject::bad_template);
  }
  // 65,535 fields announced (the few that follow cannot be them).
  Bytes body = {0x01, 0x00, 0xFF, 0xFF, 0, 8, 0, 4};
  const Bytes many = TemplateMessage(version, 1, 0).add_raw_set(version == 9 ? 0 : 2, body).finish();
  CHECK(decode(version, many, cache, out).reject == Reject::bad_template);
  // A template whose records take 0 bytes would never end a data set.
  const Bytes empty_records = TemplateMessage(version, 1, 0).add_template(256, {{8, 0}, {12, 0}}).finish();
  CHECK(decode(version, empty_records, cache, out).reject == Reject::bad_template);
  // A template id below 256 names a set, not a template.
  const Bytes low_id = TemplateMessage(version, 1, 0).add_template(255, {{8, 4}}).finish();
  CHECK(decode(version, low_id, cache, out).reject == Reject::bad_template);
  CHECK(cache.size() == 0);
  CHECK(out.empty());
}

TEST_CASE("v9 and ipfix: truncated at every byte and lying set lengths add no record", "[flow][template]") {
  const int version = GENERATE(9, 10);
  const Bytes d = TemplateMessage(version, 7, 1)
                      .add_template(256, asncounter::test::flow_fields(Family::v4))
                      .add_options_template(400, {{1, 4}}, {{34, 4}})
                      .add_data(256, records({{kSrc4, kDst4, 7, 700}, {kDst4, kSrc4, 1, 40}}))
                      .finish();
  for (std::size_t n = 0; n < d.size(); ++n) {
    TemplateCache cache;
    std::vector<FlowRecord> out;
    const Bytes cut = prefix(d, n);
    const DecodeResult r = decode(version, cut, cache, out);
    INFO("cut at " << n);
    if (version == 10) {
      CHECK(r.reject != Reject::none);  // the message length says more
    }
    if (r.reject != Reject::none) {
      CHECK(out.empty());
      CHECK(r.records == 0);
    } else {
      CHECK(out.size() == r.records);  // v9 cut at a set boundary: the sets before it
      CHECK(r.records <= 2);
    }
  }
  TemplateCache cache;
  std::vector<FlowRecord> out;
  Bytes set_lies = d;
  const std::size_t header = version == 9 ? 20 : 16;
  set_lies[header + 2] = 0x7F;  // the first set's length
  CHECK(decode(version, set_lies, cache, out).reject == Reject::length_lies);
  Bytes set_too_short = d;
  set_too_short[header + 2] = 0;
  set_too_short[header + 3] = 2;
  CHECK(decode(version, set_too_short, cache, out).reject == Reject::length_lies);
  if (version == 10) {
    Bytes message_lies = d;
    message_lies[2] = 0;
    message_lies[3] = 8;  // shorter than the header
    CHECK(decode(10, message_lies, cache, out).reject == Reject::length_lies);
  }
  Bytes wrong = d;
  wrong[1] = version == 9 ? 10 : 9;
  CHECK(decode(version, wrong, cache, out).reject == Reject::bad_version);
  CHECK(out.empty());
}

TEST_CASE("template cache: a flood stays within its own exporter's quotas and never evicts another's",
          "[flow][template][adversarial]") {
  const int version = GENERATE(9, 10);
  TemplateLimits limits;
  limits.per_domain = 16;
  limits.per_exporter = 24;
  limits.exporters = 3;
  TemplateCache cache(limits);
  std::vector<FlowRecord> out;
  // The real exporter's template, sent once, early.
  const Bytes real =
      TemplateMessage(version, 1, 0).add_template(256, asncounter::test::flow_fields(Family::v4)).finish();
  REQUIRE(decode(version, real, cache, out, 1000, kExporter2).templates == 1);
  // A flood from another address, over two domains: it keeps its newest, at its quotas.
  std::uint64_t refused = 0;
  for (std::uint16_t id = 256; id < 256 + 1000; ++id) {
    const Bytes d = TemplateMessage(version, id, id % 2)
                        .add_template(id, asncounter::test::flow_fields(Family::v4))
                        .finish();
    const DecodeResult r = decode(version, d, cache, out, 1000 + id);
    CHECK(r.reject == Reject::none);
    refused += r.templates_refused;
    REQUIRE(cache.size_for(kExporter) <= 24);
  }
  CHECK(refused == 0);
  CHECK(cache.size_for(kExporter) == 24);
  const Bytes newest =
      TemplateMessage(version, 9, 1).add_data(1255, records({{kSrc4, kDst4, 1, 1}})).finish();
  CHECK(decode(version, newest, cache, out, 2300).records == 1);
  const Bytes oldest = TemplateMessage(version, 9, 0).add_data(256, records({{kSrc4, kDst4, 1, 1}})).finish();
  CHECK(decode(version, oldest, cache, out, 2300).no_template == 1);
  // One domain alone stops at its own quota.
  for (std::uint16_t id = 256; id < 300; ++id)
    decode(
        version,
        TemplateMessage(version, id, 7).add_template(id, asncounter::test::flow_fields(Family::v4)).finish(),
        cache, out, 2400 + id);
  CHECK(cache.size_for(kExporter) == 24);
  // The real exporter's template is still there, and decodes.
  const Bytes data = TemplateMessage(version, 2, 0).add_data(256, records({{kSrc4, kDst4, 1, 1}})).finish();
  CHECK(decode(version, data, cache, out, 2700, kExporter2).records == 1);
  CHECK(cache.size_for(kExporter2) == 1);
  // Past `exporters` addresses holding templates, a new one is refused (and counted).
  const Address third = *asncounter::parse_address("203.0.113.3");
  const Address fourth = *asncounter::parse_address("203.0.113.4");
  CHECK(decode(version, real, cache, out, 2700, third).templates == 1);
  CHECK(decode(version, real, cache, out, 2700, fourth).templates_refused == 1);
  // Expiry runs when the daemon's timer calls it, and frees the exporter slots.
  cache.expire(2700 + 3601);
  CHECK(cache.size() == 0);
  CHECK(cache.exporters() == 0);
  CHECK(decode(version, real, cache, out, 2700 + 3601, fourth).templates == 1);
}

TEST_CASE("v9 and ipfix: a template with a field of 0 bytes is refused", "[flow][template][adversarial]") {
  const int version = GENERATE(9, 10);
  TemplateCache cache;
  std::vector<FlowRecord> out;
  // 500 fields of 0 bytes and one of 1: every 1-byte record walked 501 fields.
  std::vector<asncounter::test::FieldSpec> fields(500, asncounter::test::FieldSpec{210, 0});
  fields.push_back({4, 1});
  const Bytes d = TemplateMessage(version, 1, 0).add_template(256, fields).finish();
  CHECK(decode(version, d, cache, out).reject == Reject::bad_template);
  CHECK(cache.size() == 0);
}

TEST_CASE("v9 and ipfix: a template mixing an IPv6 source with an IPv4 destination is skipped, not overread",
          "[flow][template]") {
  // Found by fuzz_netflow: the IPv4 destination was read as 16 bytes. The
  // record ends the datagram, so ASan sees any read past it.
  const int version = GENERATE(9, 10);
  TemplateCache cache;
  std::vector<FlowRecord> out;
  const Bytes mixed = TemplateMessage(version, 1, 0)
                          .add_template(256, {{27, 16}, {12, 4}, {2, 4}})
                          .add_data(256, Bytes{0x20, 0x01, 0x0d, 0xb8, 0,   0, 0, 0, 0, 0, 0, 0,
                                               0,    0,    0,    1,    192, 0, 2, 1, 0, 0, 0, 1})
                          .finish();
  const DecodeResult r = decode(version, mixed, cache, out);
  CHECK(r.reject == Reject::none);
  CHECK(r.records == 0);
  CHECK(r.skipped == 1);
  CHECK(out.empty());
  // Both pairs (a dual-stack template): the IPv4 pair unless it is zero.
  std::vector<FieldSpec> both = {{8, 4}, {12, 4}, {27, 16}, {28, 16}, {2, 4}};
  Bytes rec4 = {192, 0, 2, 33, 198, 51, 100, 7};
  rec4.resize(rec4.size() + 32, 0);
  for (const std::uint8_t b : std::initializer_list<std::uint8_t>{0, 0, 0, 2}) rec4.push_back(b);
  Bytes rec6(8, 0);
  for (const Address& a : {kSrc6, kDst6})
    for (int i = 0; i < 16; ++i)
      rec6.push_back(
          static_cast<std::uint8_t>((i < 8 ? a.v6.hi >> (56 - 8 * i) : a.v6.lo >> (120 - 8 * i)) & 0xFF));
  for (const std::uint8_t b : std::initializer_list<std::uint8_t>{0, 0, 0, 3}) rec6.push_back(b);
  Bytes recs = rec4;
  recs.insert(recs.end(), rec6.begin(), rec6.end());
  const Bytes dual = TemplateMessage(version, 2, 0).add_template(257, both).add_data(257, recs).finish();
  REQUIRE(decode(version, dual, cache, out).records == 2);
  CHECK(out[0].source == kSrc4);
  CHECK(out[0].destination == kDst4);
  CHECK(out[0].packets == 2);
  CHECK(out[1].source == kSrc6);
  CHECK(out[1].destination == kDst6);
  CHECK(out[1].packets == 3);
}
