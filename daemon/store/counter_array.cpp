#include "daemon/store/counter_array.hpp"

#include <sys/mman.h>

#include <cstring>
#include <new>

namespace asncounter {

namespace {

std::size_t bytes_of(std::size_t n) { return (n == 0 ? 1 : n) * sizeof(std::uint64_t); }

}  // namespace

CounterArray::CounterArray(std::size_t n) : size_(n) {
  // MAP_NORESERVE: a full table times shards times fields is a lot of address
  // space, of which only the touched pages ever become resident.
  void* p =
      mmap(nullptr, bytes_of(n), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  data_ = static_cast<std::uint64_t*>(p);
}

CounterArray::~CounterArray() { munmap(data_, bytes_of(size_)); }

void CounterArray::clear() noexcept {
  // MADV_DONTNEED on a private anonymous mapping drops the pages: later reads
  // see zeros and RSS falls back, which a memset would not give us.
  if (madvise(data_, bytes_of(size_), MADV_DONTNEED) != 0) std::memset(data_, 0, bytes_of(size_));
}

}  // namespace asncounter
