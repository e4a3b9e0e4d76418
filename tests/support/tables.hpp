#pragma once
// Small lookup tables from literals, for tests.

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "common/table/lpm_table.hpp"
#include "tests/support/addresses.hpp"

namespace asncounter::test {

/// A table of `routes` ({"192.0.2.0/24", 64496}, ...), its source named "test".
inline std::shared_ptr<const LpmTable> table_of(
    const std::vector<std::pair<const char*, std::uint32_t>>& routes) {
  std::vector<Route> r;
  for (const auto& [p, asn] : routes) r.push_back(Route{pfx(p), asn});
  return LpmTable::build(r, TableInfo{"test", 0, {}, 0});
}

}  // namespace asncounter::test
