#pragma once
// Whole RIB fixtures written with MrtWriter: the small documentation-space
// sample (demo, docs) and seeded full-size synthetic RIBs (benchmarks).

#include <cstdint>
#include <string>

#include "tests/tools/mrt_writer.hpp"

namespace asncounter::test {

/// Which MRT flavour a sample is written in.
enum class RibFormat { table_dump_v2, table_dump_v2_addpath, table_dump };

/// A small RIB in RFC 5737/3849 documentation space with RFC 5398 ASNs,
/// including more-specifics inside bigger prefixes and an AS_SET origin.
MrtWriter sample_rib(RibFormat format);

/// What a synthetic RIB holds.
struct SyntheticRibOptions {
  std::size_t v4 = 1000000;  ///< distinct IPv4 prefixes
  std::size_t v6 = 230000;   ///< distinct IPv6 prefixes
  unsigned peers = 8;        ///< RIB entries per prefix
  std::uint64_t seed = 1;    ///< same seed, same file
};

/// Writes a seeded TABLE_DUMP_V2 RIB (realistic prefix lengths, more-
/// specifics, origins pyasn does not take for bogus); returns the
/// uncompressed size in bytes.
std::uint64_t write_synthetic_rib(const std::string& path, Packing packing,
                                  const SyntheticRibOptions& options);

/// The packing a file name asks for: ".gz" gzip, ".bz2" bzip2, else plain.
Packing packing_for(const std::string& path);

}  // namespace asncounter::test
