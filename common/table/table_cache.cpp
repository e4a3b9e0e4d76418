#include "common/table/table_cache.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <string_view>
#include <type_traits>

#include "common/table/lpm_parts.hpp"
#include "common/table/table_file.hpp"
#include "common/unique_fd.hpp"
#include "common/xxh64.hpp"

namespace asncounter {
namespace fs = std::filesystem;
namespace {

// The file: a Header, the source's name, then the table's arrays as lookups
// read them, each at a 64-byte boundary (so that a mapping, which starts at
// a page, serves them in place). Native byte order and layout: the cache is
// only ever read on the machine that wrote it, and a file from another
// byte order or version is refused by its header.
constexpr std::array<char, 8> kMagic = {'A', 'S', 'N', 'C', 'T', 'B', 'L', '\n'};
constexpr std::uint32_t kVersion = 2;  // 2: the source's inode and ctime
constexpr std::uint32_t kByteOrder = 0x01020304;
constexpr std::uint64_t kAlign = 64;
constexpr std::uint32_t kMaxName = 4096;
// Cache files kept: the daemon's table, the one before it, and a couple of
// others (offline lookups of other files).
constexpr std::size_t kKeep = 4;
constexpr std::string_view kSuffix = ".table-cache";

enum Section : std::size_t {
  kAsns,
  kLens,
  kV4Addrs,
  kV6Addrs,
  kV4Slots,
  kV4Runs,
  kV4Groups,
  kV6Starts,
  kV6Ids,
  kV6Top,
  kV6Nodes,
  kSectionCount,
};

// The size of one element of each section, in Section order.
constexpr std::array<std::uint64_t, kSectionCount> kElementSize = {
    sizeof(std::uint32_t),      sizeof(std::uint8_t),         sizeof(std::uint32_t),        sizeof(V6),
    sizeof(lpm::V4Index::Slot), sizeof(std::uint32_t),        sizeof(std::uint32_t),        sizeof(lpm::U128),
    sizeof(std::uint32_t),      sizeof(lpm::V6Ranges::Entry), sizeof(lpm::V6Ranges::Entry),
};

struct SectionEntry {
  std::uint64_t offset;  ///< from the start of the file
  std::uint64_t count;   ///< elements
};

struct Header {
  std::array<char, 8> magic;
  std::uint64_t checksum;  ///< XXH64 of every byte after this field
  std::uint32_t version;
  std::uint32_t byte_order;  ///< kByteOrder as the writer stored it
  std::uint64_t file_size;
  std::uint64_t source_size;
  std::int64_t source_mtime_ns;
  std::uint64_t source_inode;
  std::int64_t source_ctime_ns;
  std::int64_t dump_time;
  std::uint32_t format;
  std::uint32_t source_name_len;  ///< the name follows the header
  std::uint32_t section_count;
  std::uint32_t reserved;
  std::array<SectionEntry, kSectionCount> sections;
};
static_assert(std::is_trivially_copyable_v<Header>);
static_assert(offsetof(Header, checksum) == kTableCacheChecksumOffset);
static_assert(alignof(lpm::U128) <= kAlign && alignof(lpm::V4Index::Slot) <= kAlign);

template <class T>
std::span<const unsigned char> bytes_of(std::span<const T> s) {
  return {reinterpret_cast<const unsigned char*>(s.data()), s.size_bytes()};
}

std::array<std::span<const unsigned char>, kSectionCount> sections_of(const LpmParts& p) {
  return {bytes_of(p.asns),     bytes_of(p.lens),    bytes_of(p.v4_addrs),  bytes_of(p.v6_addrs),
          bytes_of(p.v4.slots), bytes_of(p.v4.runs), bytes_of(p.v4.groups), bytes_of(p.v6.starts),
          bytes_of(p.v6.ids),   bytes_of(p.v6.top),  bytes_of(p.v6.nodes)};
}

std::uint64_t align_up(std::uint64_t v) { return (v + kAlign - 1) / kAlign * kAlign; }

// The header of a table's cache (checksum still 0) and where each array goes.
Header header_of(const LpmTable& table, const SourceStamp& source) {
  Header h{};
  h.magic = kMagic;
  h.version = kVersion;
  h.byte_order = kByteOrder;
  h.source_size = source.size;
  h.source_mtime_ns = source.mtime_ns;
  h.source_inode = source.inode;
  h.source_ctime_ns = source.ctime_ns;
  h.dump_time = table.info().dump_time;
  h.format = static_cast<std::uint32_t>(table.info().format);
  h.source_name_len = static_cast<std::uint32_t>(source.name.size());
  h.section_count = kSectionCount;
  std::uint64_t pos = sizeof(Header) + source.name.size();
  auto data = sections_of(table.parts());
  for (std::size_t i = 0; i < kSectionCount; ++i) {
    pos = align_up(pos);
    h.sections[i] = {pos, data[i].size() / kElementSize[i]};
    pos += data[i].size();
  }
  h.file_size = pos;
  return h;
}

// Hands the file's bytes to `put` in order (checksum field as in `h`).
template <class Put>
void emit(const Header& h, const LpmTable& table, const SourceStamp& source, Put&& put) {
  static constexpr std::array<unsigned char, kAlign> zeros{};
  put({reinterpret_cast<const unsigned char*>(&h), sizeof h});
  put({reinterpret_cast<const unsigned char*>(source.name.data()), source.name.size()});
  std::uint64_t pos = sizeof h + source.name.size();
  auto data = sections_of(table.parts());
  for (std::size_t i = 0; i < kSectionCount; ++i) {
    put({zeros.data(), static_cast<std::size_t>(h.sections[i].offset - pos)});
    put(data[i]);
    pos = h.sections[i].offset + data[i].size();
  }
}

std::string errno_text() { return std::strerror(errno); }

// Every index the lookups and accessors will follow stays inside its array:
// a table that passes cannot read out of bounds, loop, or hand the counters
// an id beyond prefix_count(), whatever the file said.
ASNCOUNTER_POPCNT_CLONES
std::string check_parts(const LpmParts& p) {
  const std::size_t n = p.asns.size();
  if (n == 0 || p.lens.size() != n || p.v4_addrs.size() + p.v6_addrs.size() + 1 != n)
    return "prefix arrays disagree";
  const std::size_t v4n = p.v4_addrs.size();
  for (std::size_t id = 1; id < n; ++id)
    if (p.lens[id] == 0 || p.lens[id] > (id <= v4n ? 32 : 128)) return "bad prefix length";

  using lpm::V4Index;
  if (p.v4.slots.size() != V4Index::kSlotCount || p.v4.groups.size() % 256 != 0) return "bad IPv4 index size";
  const std::size_t groups = p.v4.groups.size() / 256;
  auto answer_ok = [&](std::uint32_t a) {
    return (a & V4Index::kGroup) ? (a & ~V4Index::kGroup) < groups : a <= v4n;
  };
  for (const V4Index::Slot& s : p.v4.slots) {
    if (!(s.changes & 1U) || !answer_ok(s.first_answer)) return "bad IPv4 slot";
    auto later = static_cast<std::uint64_t>(std::popcount(s.changes)) - 1;
    if (later > 0 && std::uint64_t{s.later_answers} + later > p.v4.runs.size())
      return "IPv4 slot out of bounds";
  }
  for (std::uint32_t a : p.v4.runs)
    if (!answer_ok(a)) return "bad IPv4 answer";
  for (std::uint32_t id : p.v4.groups)
    if (id > v4n) return "bad IPv4 group answer";

  using lpm::V6Ranges;
  const auto& v6 = p.v6;
  if (v6.starts.size() != v6.ids.size() || v6.starts.size() < V6Ranges::kLeafMax || v6.starts[0] != 0)
    return "bad IPv6 ranges";
  for (std::size_t i = 1; i < v6.starts.size(); ++i)
    if (v6.starts[i] < v6.starts[i - 1]) return "IPv6 ranges out of order";
  for (std::uint32_t id : v6.ids)
    if (id != 0 && (id <= v4n || id >= n)) return "bad IPv6 answer";
  if (v6.top.size() != (std::size_t{1} << V6Ranges::kTopBits)) return "bad IPv6 index size";
  // The index must be a tree: each node entry reached once, each step down
  // consuming bits that are there (so a walk ends), each bucket's reads
  // (kLeafMax starts and ids from its begin) inside the arrays.
  std::vector<bool> seen(v6.nodes.size());
  struct Todo {
    const V6Ranges::Entry* entry;
    unsigned shift;
  };
  std::vector<Todo> todo;
  todo.reserve(v6.top.size() + v6.nodes.size());  // each entry is pushed once at most
  for (const auto& e : v6.top) todo.push_back({&e, 128 - V6Ranges::kTopBits});
  while (!todo.empty()) {
    Todo t = todo.back();
    todo.pop_back();
    const V6Ranges::Entry& e = *t.entry;
    if (e.count & V6Ranges::kChild) {
      unsigned bits = e.count & 0xffU;
      if ((e.count & ~(V6Ranges::kChild | 0xffU)) != 0 || bits == 0 || bits > 16 || bits > t.shift)
        return "bad IPv6 node";
      std::uint64_t size = std::uint64_t{1} << bits;
      if (std::uint64_t{e.begin} + size > v6.nodes.size()) return "IPv6 node out of bounds";
      for (std::uint64_t k = 0; k < size; ++k) {
        if (seen[e.begin + k]) return "IPv6 index is not a tree";
        seen[e.begin + k] = true;
        todo.push_back({&v6.nodes[e.begin + k], t.shift - bits});
      }
    } else if (e.count == 0 || std::uint64_t{e.begin} + V6Ranges::kLeafMax > v6.starts.size()) {
      return "IPv6 bucket out of bounds";
    }
  }
  return {};
}

struct Mapping {
  void* addr;
  std::size_t size;
  Mapping(void* a, std::size_t s) : addr(a), size(s) {}
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  ~Mapping() { ::munmap(addr, size); }
};

// Opens `dir` to work inside it by relative names: the files themselves are
// then opened without following links.
Result<UniqueFd> open_dir(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return Error{dir + ": " + errno_text()};
  return fd;
}

// The cache in `dir` for `source`; `missing` says there was none at all
// (nothing to log then).
Result<std::shared_ptr<const LpmTable>> read_cache(const std::string& dir, const SourceStamp& source,
                                                   const TableLimits& limits, bool* missing) {
  auto dfd = open_dir(dir);
  if (!dfd) {
    if (missing) *missing = errno == ENOENT;
    return Error{dfd.error()};
  }
  std::string name = table_cache_name(source);
  UniqueFd fd(::openat(dfd->get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
  if (!fd) {
    if (missing) *missing = errno == ENOENT;
    return Error{errno_text()};
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return Error{errno_text()};
  if (!S_ISREG(st.st_mode)) return Error{"not a regular file"};
  if (st.st_size < static_cast<off_t>(sizeof(Header))) return Error{"truncated"};
  auto size = static_cast<std::size_t>(st.st_size);
  // MAP_POPULATE: the pages are in the page cache after a first use; mapping
  // them all at once is cheaper than a fault per page.
  void* addr = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd.get(), 0);
  if (addr == MAP_FAILED) return Error{"mmap: " + errno_text()};
  auto mapping = std::make_shared<const Mapping>(addr, size);
  auto table =
      table_from_cache_bytes({static_cast<const unsigned char*>(addr), size}, mapping, &source, limits);
  return table;
}

std::int64_t now_seconds() { return static_cast<std::int64_t>(std::time(nullptr)); }

// Keeps the newest kKeep caches of `dir` (by modification time) and `keep`.
void prune(const std::string& dir, const std::string& keep) {
  std::error_code ec;
  std::vector<std::pair<fs::file_time_type, fs::path>> caches;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (!name.ends_with(kSuffix) || name == keep || !e.is_regular_file(ec)) continue;
    caches.emplace_back(e.last_write_time(ec), e.path());
  }
  std::sort(caches.begin(), caches.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::size_t i = kKeep > 0 ? kKeep - 1 : 0; i < caches.size(); ++i) fs::remove(caches[i].second, ec);
}

}  // namespace

Result<SourceStamp> stamp_source(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Error{path + ": " + errno_text()};
  std::error_code ec;
  fs::path abs = fs::absolute(path, ec);
  if (ec) return Error{path + ": " + ec.message()};
  SourceStamp s;
  s.name = abs.lexically_normal().string();
  s.size = static_cast<std::uint64_t>(st.st_size);
  s.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  s.inode = static_cast<std::uint64_t>(st.st_ino);
  s.ctime_ns = static_cast<std::int64_t>(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec;
  return s;
}

std::string table_cache_name(const SourceStamp& source) {
  std::string base = fs::path(source.name).filename().string();
  if (base.size() > 100) base.resize(100);
  // Only plain characters in the name: it is ours, whatever the source's was.
  for (char& c : base)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) c = '_';
  if (base.empty() || base[0] == '.') base.insert(0, "t");
  char hash[17];
  std::snprintf(hash, sizeof hash, "%016llx",
                static_cast<unsigned long long>(
                    xxh64({reinterpret_cast<const unsigned char*>(source.name.data()), source.name.size()})));
  return base + "." + hash + std::string(kSuffix);
}

std::uint64_t table_cache_checksum(std::span<const unsigned char> bytes) noexcept {
  constexpr std::size_t from = kTableCacheChecksumOffset + sizeof(std::uint64_t);
  return bytes.size() < from ? 0 : xxh64(bytes.subspan(from));
}

std::vector<unsigned char> table_cache_bytes(const LpmTable& table, const SourceStamp& source) {
  Header h = header_of(table, source);
  std::vector<unsigned char> out;
  out.reserve(h.file_size);
  emit(h, table, source,
       [&out](std::span<const unsigned char> b) { out.insert(out.end(), b.begin(), b.end()); });
  std::uint64_t sum = table_cache_checksum(out);
  std::memcpy(out.data() + kTableCacheChecksumOffset, &sum, sizeof sum);
  return out;
}

Result<void> write_table_cache(const std::string& dir, const SourceStamp& source, const LpmTable& table) {
  if (source.name.size() > kMaxName) return Error{"source name too long"};
  auto dfd = open_dir(dir);
  if (!dfd) return Error{dfd.error()};
  std::string name = table_cache_name(source);
  std::string part = "." + name + "." + std::to_string(::getpid()) + ".part";
  const int flags = O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
  UniqueFd fd(::openat(dfd->get(), part.c_str(), flags, 0644));
  if (!fd && errno == EEXIST && ::unlinkat(dfd->get(), part.c_str(), 0) == 0)
    fd.reset(::openat(dfd->get(), part.c_str(), flags, 0644));
  if (!fd) return Error{dir + "/" + part + ": " + errno_text()};
  auto fail = [&](std::string why) {
    ::unlinkat(dfd->get(), part.c_str(), 0);
    return Error{dir + "/" + part + ": " + why};
  };
  Header h = header_of(table, source);
  // Written through a buffer, then checksummed from a mapping of the file
  // itself: no second copy of a 50 MB table in memory.
  std::vector<unsigned char> buf;
  buf.reserve(1 << 20);
  bool ok = true;
  auto flush = [&] {
    std::size_t done = 0;
    while (ok && done < buf.size()) {
      ssize_t w = ::write(fd.get(), buf.data() + done, buf.size() - done);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0)
        ok = false;
      else
        done += static_cast<std::size_t>(w);
    }
    buf.clear();
  };
  emit(h, table, source, [&](std::span<const unsigned char> b) {
    while (!b.empty()) {
      std::size_t n = std::min(b.size(), buf.capacity() - buf.size());
      buf.insert(buf.end(), b.begin(), b.begin() + static_cast<std::ptrdiff_t>(n));
      b = b.subspan(n);
      if (buf.size() == buf.capacity()) flush();
    }
  });
  flush();
  if (!ok) return fail("write: " + errno_text());
  void* addr = ::mmap(nullptr, h.file_size, PROT_READ, MAP_SHARED, fd.get(), 0);
  if (addr == MAP_FAILED) return fail("mmap: " + errno_text());
  std::uint64_t sum = table_cache_checksum({static_cast<const unsigned char*>(addr), h.file_size});
  ::munmap(addr, h.file_size);
  // No fsync: a cache lost or torn by a crash fails its checksum and is
  // rebuilt, which costs a start its speed, never a wrong table.
  if (::pwrite(fd.get(), &sum, sizeof sum, kTableCacheChecksumOffset) != static_cast<ssize_t>(sizeof sum) ||
      !fd.close())
    return fail("write: " + errno_text());
  if (::renameat(dfd->get(), part.c_str(), dfd->get(), name.c_str()) != 0)
    return fail("rename to " + name + ": " + errno_text());
  prune(dir, name);
  return {};
}

Result<std::shared_ptr<const LpmTable>> read_table_cache(const std::string& dir, const SourceStamp& source,
                                                         const TableLimits& limits) {
  return read_cache(dir, source, limits, nullptr);
}

Result<std::shared_ptr<const LpmTable>> table_from_cache_bytes(std::span<const unsigned char> bytes,
                                                               std::shared_ptr<const void> owner,
                                                               const SourceStamp* expect,
                                                               const TableLimits& limits) {
  if (reinterpret_cast<std::uintptr_t>(bytes.data()) % kAlign != 0) return Error{"misaligned"};
  Header h;
  if (bytes.size() < sizeof h) return Error{"truncated"};
  std::memcpy(&h, bytes.data(), sizeof h);
  if (h.magic != kMagic) return Error{"not a table cache"};
  if (h.version != kVersion || h.byte_order != kByteOrder) return Error{"written by another version"};
  if (h.file_size != bytes.size()) return Error{"truncated"};
  if (h.source_name_len > kMaxName || sizeof h + h.source_name_len > bytes.size())
    return Error{"bad source name"};
  std::string_view name(reinterpret_cast<const char*>(bytes.data()) + sizeof h, h.source_name_len);
  if (expect &&
      (name != expect->name || h.source_size != expect->size || h.source_mtime_ns != expect->mtime_ns ||
       h.source_inode != expect->inode || h.source_ctime_ns != expect->ctime_ns))
    return Error{"made from another version of the source"};
  if (h.checksum != table_cache_checksum(bytes)) return Error{"checksum mismatch"};
  if (h.section_count != kSectionCount || h.format >= static_cast<std::uint32_t>(TableFormat::count_))
    return Error{"bad header"};
  std::array<const unsigned char*, kSectionCount> at{};
  const std::uint64_t data_from = sizeof h + h.source_name_len;
  for (std::size_t i = 0; i < kSectionCount; ++i) {
    const SectionEntry& s = h.sections[i];
    if (s.offset % kAlign != 0 || s.offset < data_from || s.offset > bytes.size() ||
        s.count > (bytes.size() - s.offset) / kElementSize[i])
      return Error{"section out of bounds"};
    at[i] = bytes.data() + s.offset;
  }
  auto view = [&]<class T>(Section i, const T*) {
    return std::span<const T>(reinterpret_cast<const T*>(at[i]), h.sections[i].count);
  };
  LpmParts p;
  p.asns = view(kAsns, static_cast<const std::uint32_t*>(nullptr));
  p.lens = view(kLens, static_cast<const std::uint8_t*>(nullptr));
  p.v4_addrs = view(kV4Addrs, static_cast<const std::uint32_t*>(nullptr));
  p.v6_addrs = view(kV6Addrs, static_cast<const V6*>(nullptr));
  p.v4.slots = view(kV4Slots, static_cast<const lpm::V4Index::Slot*>(nullptr));
  p.v4.runs = view(kV4Runs, static_cast<const std::uint32_t*>(nullptr));
  p.v4.groups = view(kV4Groups, static_cast<const std::uint32_t*>(nullptr));
  p.v6.starts = view(kV6Starts, static_cast<const lpm::U128*>(nullptr));
  p.v6.ids = view(kV6Ids, static_cast<const std::uint32_t*>(nullptr));
  p.v6.top = view(kV6Top, static_cast<const lpm::V6Ranges::Entry*>(nullptr));
  p.v6.nodes = view(kV6Nodes, static_cast<const lpm::V6Ranges::Entry*>(nullptr));
  if (std::string why = check_parts(p); !why.empty()) return Error{why};
  if (p.asns.size() - 1 > limits.max_prefixes) return Error{"more prefixes than the limit"};
  TableInfo info;
  info.source = std::string(name);
  info.dump_time = h.dump_time;
  info.format = static_cast<TableFormat>(h.format);
  info.loaded_at = now_seconds();
  return LpmTable::from_parts(p, std::move(info), std::move(owner));
}

std::shared_ptr<const LpmTable> with_source(std::shared_ptr<const LpmTable> table, std::string source) {
  TableInfo info = table->info();
  info.source = std::move(source);
  const LpmParts& parts = table->parts();
  return LpmTable::from_parts(parts, std::move(info), std::move(table));
}

Result<CachedTable> load_table_cached(const std::string& path, const std::string& cache_dir,
                                      const std::atomic<bool>* stop, const TableLimits& limits, bool write) {
  std::error_code ec;
  // No cache directory: no cache (one is not made here: the daemon's is
  // set up by systemd or by the download code, with its permissions).
  bool usable = !cache_dir.empty() && fs::is_directory(cache_dir, ec);
  auto stamp = usable ? stamp_source(path) : Result<SourceStamp>(Error{""});
  if (!stamp) {  // no cache, or no file (load_table says so in its words)
    auto table = load_table(path, stop, limits);
    if (!table) return Error{table.error()};
    return CachedTable{std::move(*table), false, {}};
  }
  bool missing = false;
  auto cached = read_cache(cache_dir, *stamp, limits, &missing);
  std::string file = (fs::path(cache_dir) / table_cache_name(*stamp)).string();
  if (cached) return CachedTable{with_source(std::move(*cached), path), true, {}};  // named as the caller did
  std::string note =
      missing ? std::string() : "table cache " + file + " ignored (" + cached.error() + "), rebuilt";
  auto table = load_table(path, stop, limits);
  if (!table) return Error{table.error()};
  // The dump may have changed while it was read: cache only what was read.
  auto after = stamp_source(path);
  if (write && after && *after == *stamp) {
    if (auto written = write_table_cache(cache_dir, *stamp, **table); !written)
      note += (note.empty() ? "" : "; ") + std::string("table cache not written: ") + written.error();
  }
  return CachedTable{std::move(*table), false, std::move(note)};
}

}  // namespace asncounter
