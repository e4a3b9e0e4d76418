#pragma once
// A store with many rows, for tests of long answers: `n` distinct /24s
// (1.0.0.0/24, 1.0.1.0/24, ..., origins 64496..64500 in turn) and one hit
// in each. The same numbering as write_many_prefixes (many_prefixes.hpp).

#include <cstdint>
#include <memory>

#include "common/table/lpm_table.hpp"

namespace asncounter {
class CounterStore;
}  // namespace asncounter

namespace asncounter::test {

/// The table of the first `n` /24s (n <= 65536).
std::shared_ptr<const LpmTable> table_of_24s(int n);
/// Counts one address in each of the first `n` /24s into `store`, `hits(i)` hits for the i-th.
void count_each_24(CounterStore& store, int n, std::uint32_t (*hits)(int) = nullptr);

}  // namespace asncounter::test
