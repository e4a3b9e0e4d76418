// Fuzz target: the ipasn reader (tables come from downloads and users), and
// the LPM table built from whatever it accepts.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>

#include "common/table/ipasn.hpp"
#include "common/table/lpm_table.hpp"

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
  MemoryStream in(data, size);
  auto set = asncounter::read_ipasn(in, "fuzz");
  if (!set) {
    if (set.error().rfind("fuzz", 0) != 0) __builtin_trap();  // errors name the source
    return 0;
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
  return 0;
}
