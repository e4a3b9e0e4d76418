#include "tests/support/counted_24s.hpp"

#include <string>
#include <vector>

#include "daemon/store/counter_store.hpp"
#include "daemon/store/event_batch.hpp"

namespace asncounter::test {
namespace {

std::string net_of(int i) { return "1." + std::to_string(i / 256) + "." + std::to_string(i % 256); }

}  // namespace

std::shared_ptr<const LpmTable> table_of_24s(int n) {
  std::vector<Route> routes;
  for (int i = 0; i < n; ++i)
    routes.push_back({*parse_prefix(net_of(i) + ".0/24"), 64496U + static_cast<std::uint32_t>(i % 5)});
  return LpmTable::build(routes, TableInfo{"test", 0, {}, 0});
}

void count_each_24(CounterStore& store, int n, std::uint32_t (*hits)(int)) {
  EventBatch batch;
  for (int i = 0; i < n; ++i) {
    batch.push(*parse_address(net_of(i) + ".1"), hits ? hits(i) : 1);
    if (batch.full()) {
      store.add(batch);
      batch.clear();
    }
  }
  store.add(batch);
}

}  // namespace asncounter::test
