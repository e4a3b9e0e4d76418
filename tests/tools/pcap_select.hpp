#pragma once
// Copies some records of a classic pcap file into a new one: the packets a
// 1-in-N periodic sampler keeps (softflowd -s N keeps packets 0, N, 2N, ...)
// or the first K (what an exporter sent before it stopped), so a test can
// count exactly what an exporter saw with the pcap-file input.

#include <cstdint>
#include <functional>
#include <string>

#include "common/result.hpp"

namespace asncounter::test {

/// Writes to `out` the header of `in` and each record whose 0-based index
/// passes `keep`; returns how many were written. Classic pcap only.
Result<std::uint64_t> select_pcap_records(const std::string& in, const std::string& out,
                                          const std::function<bool(std::uint64_t index)>& keep);

}  // namespace asncounter::test
