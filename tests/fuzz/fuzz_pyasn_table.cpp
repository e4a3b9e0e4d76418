// Fuzz target: every row of the table-format registry (tables come from
// downloads and users), its detection and its reader, and the LPM table
// built from whatever a reader accepts. The corpus is ipasn text.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>

#include "common/table/lpm_table.hpp"
#include "common/table/table_file.hpp"

namespace {

// Hands out the input in small, uneven pieces so that lines straddle reads.
class MemoryStream final : public asncounter::ByteStream {
 public:
  MemoryStream(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  std::size_t read(void* buf, std::size_t size) override {
    std::size_t n = std::min({size, size_ - pos_, std::size_t{1} + pos_ % 61});
    if (n == 0) {
      eof_ = true;
      return 0;
    }
    std::memcpy(buf, data_ + pos_, n);
    pos_ += n;
    offset_ += n;
    return n;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The positive checks of the registry never overlap: at most one row
  // claims any bytes, whatever order they are tried in.
  std::span<const unsigned char> head(data, std::min(size, asncounter::kTablePeek));
  std::size_t claimed = 0;
  for (const auto& row : asncounter::table_formats()) claimed += row.detect(head) ? 1 : 0;
  if (claimed > 1) __builtin_trap();
  // Every row's reader takes any bytes (the ipasn corpus mostly reaches ipasn).
  for (const auto& row : asncounter::table_formats()) {
    MemoryStream in(data, size);
    auto set = row.read(in, "fuzz", asncounter::TableLimits{}.max_prefixes);
    if (!set) {
      if (set.error().rfind("fuzz", 0) != 0) __builtin_trap();  // errors name the source
      continue;
    }
    auto table = asncounter::LpmTable::build(set->routes, set->info);
    if (table->prefix_count() > set->routes.size()) __builtin_trap();
    // Every accepted route's first address is routed, by it or a more-specific
    // (IPv4-mapped addresses excepted: they are looked up as IPv4).
    std::size_t checked = 0;
    for (const auto& r : set->routes) {
      if (++checked > 64) break;
      if (asncounter::unmap_v4(r.prefix.addr).family != r.prefix.addr.family) continue;
      auto m = table->lookup(r.prefix.addr);
      if (!m || !asncounter::contains(m->prefix, r.prefix.addr) || m->prefix.len < r.prefix.len)
        __builtin_trap();
    }
  }
  return 0;
}
