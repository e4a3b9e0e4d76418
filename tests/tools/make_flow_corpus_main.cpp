// Writes the seed corpora of the flow fuzz targets (tests/fuzz/corpus/sflow
// and tests/fuzz/corpus/netflow) with the flow writer:
//   make_flow_corpus DIR   (DIR/sflow/..., DIR/netflow/...)
// NetFlow inputs start with the fuzz target's exporter/clock byte.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/ip.hpp"
#include "tests/tools/flow_writer.hpp"

namespace {

using asncounter::Family;
using asncounter::test::FlowSpec;
using asncounter::test::SflowSample;
using asncounter::test::TemplateMessage;
using Bytes = std::vector<std::uint8_t>;

void write(const std::filesystem::path& path, const Bytes& bytes, bool exporter_byte) {
  std::ofstream f(path, std::ios::binary);
  if (exporter_byte) f.put(0);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

Bytes records(const std::vector<FlowSpec>& flows) {
  Bytes out;
  for (const FlowSpec& f : flows) asncounter::test::append_flow_record(out, f);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_flow_corpus DIR\n");
    return 2;
  }
  const std::filesystem::path dir(argv[1]);
  const auto a4 = *asncounter::parse_address("192.0.2.33");
  const auto b4 = *asncounter::parse_address("198.51.100.7");
  const auto a6 = *asncounter::parse_address("2001:db8:1:2::33");
  const auto b6 = *asncounter::parse_address("2001:db8::53");
  const auto agent = *asncounter::parse_address("203.0.113.1");
  std::filesystem::create_directories(dir / "sflow");
  std::filesystem::create_directories(dir / "netflow");

  using Kind = SflowSample::Kind;
  write(dir / "sflow" / "raw_header_v4",
        asncounter::test::sflow_v5(agent, 1, {{Kind::raw_header, {a4, b4, 1, 100}, 512}}), false);
  write(dir / "sflow" / "raw_header_v6_vlan_expanded",
        asncounter::test::sflow_v5(agent, 2, {{Kind::raw_header, {a6, b6, 1, 100}, 512, true, true}}), false);
  {
    // Ten samples claiming 1 in 4,294,967,295 (refused past flow-max-sampling).
    std::vector<SflowSample> inflated(10);
    for (auto& sample : inflated) {
      sample.kind = SflowSample::Kind::sampled_ipv4;
      sample.flow = FlowSpec{a4, b4, 1, 1500};
      sample.rate = UINT32_MAX;
    }
    write(dir / "sflow" / "sampled_rate_max", asncounter::test::sflow_v5(agent, 3, inflated), false);
  }
  write(dir / "sflow" / "sampled_v4_v6_counters",
        asncounter::test::sflow_v5(a6, 3,
                                   {{Kind::sampled_ipv4, {a4, b4, 1, 1400}, 1024},
                                    {Kind::counter, {}, 0},
                                    {Kind::sampled_ipv6, {a6, b6, 1, 1280}, 1024, true}}),
        false);

  write(dir / "netflow" / "v5", asncounter::test::netflow_v5({{a4, b4, 3, 300}, {b4, a4, 1, 40}}, 9, 100),
        true);
  for (const int version : {9, 10}) {
    const std::string v = std::to_string(version);
    write(dir / "netflow" / ("v" + v + "_templates_data"),
          TemplateMessage(version, 1, 0)
              .add_template(256, asncounter::test::flow_fields(Family::v4))
              .add_template(257, asncounter::test::flow_fields(Family::v6))
              .add_data(256, records({{a4, b4, 3, 300}}), true)
              .add_data(257, records({{a6, b6, 2, 200}}))
              .finish(),
          true);
    write(dir / "netflow" / ("v" + v + "_options_sampling"),
          TemplateMessage(version, 2, 0)
              .add_options_template(400, {{1, 4}}, {{34, 4}})
              .add_data(400, Bytes{0, 0, 0, 1, 0, 0, 0, 100})
              .add_data(256, records({{a4, b4, 3, 300}}))
              .finish(),
          true);
    write(dir / "netflow" / ("v" + v + "_data_only"),
          TemplateMessage(version, 3, 0).add_data(256, records({{a4, b4, 1, 64}})).finish(), true);
  }
  // IPFIX variable-length and enterprise fields, and a withdrawal.
  Bytes var = {3, 'e', 't', '0', 192, 0, 2, 33, 0, 0, 0, 1, 198, 51, 100, 7, 0, 5, 0, 0, 1, 0xF4};
  write(dir / "netflow" / "v10_variable_enterprise",
        TemplateMessage(10, 4, 0)
            .add_template(258, {{82, 65535}, {8, 4}, {1, 4, 9}, {12, 4}, {2, 2}, {1, 4}})
            .add_data(258, var)
            .finish(),
        true);
  write(dir / "netflow" / "v10_withdraw", TemplateMessage(10, 5, 0).add_template(256, {}).finish(), true);
  // Issue 27: counts near 2^64 (refused past the ceilings), a template with
  // fields of 0 bytes (refused), templates in several domains (the quotas).
  write(dir / "netflow" / "v10_huge_counts",
        TemplateMessage(10, 6, 0)
            .add_template(256, asncounter::test::flow_fields(Family::v4))
            .add_data(256, records({{a4, b4, UINT64_MAX, UINT64_MAX}, {a4, b4, 1ULL << 32, 1ULL << 40}}))
            .finish(),
        true);
  write(dir / "netflow" / "v9_zero_length_fields",
        TemplateMessage(9, 7, 0).add_template(256, {{210, 0}, {210, 0}, {8, 4}}).finish(), true);
  for (std::uint32_t domain : {1U, 2U})
    write(dir / "netflow" / ("v10_domain_" + std::to_string(domain)),
          TemplateMessage(10, 8, domain)
              .add_template(256, asncounter::test::flow_fields(Family::v4))
              .add_template(257, asncounter::test::flow_fields(Family::v6))
              .finish(),
          true);
  return 0;
}
