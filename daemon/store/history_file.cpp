// The history file's records (history_file.hpp). Layout, all integers
// little-endian or LEB128 varints:
//   "asncounter-history 2\n" (version 1: steps without the fields marked v2)
//   records: u8 type, u32 length, payload, u64 XXH64(payload, seed type<<32 | length)
//   'H' saved_at_ms                                   exactly once, first
//   'K' count, then per key: key gap, family (4|6), length, address
//       (4|16 bytes, network order), ASN, or [v2] key gap, 0, ASN for an
//       ASN's "other prefixes"                         keys ascending, 0 never
//   'S' age_from_ms, age_to_ms, entries, fields, [v2: bytes_per_hit, tier,
//       filling (0|1), bound hits, bound bytes], the step's encoded bytes;
//       tier by tier (0: the recent steps), a tier's step being filled last
//   'E' records before it, steps, keys                 last
#include "daemon/store/history_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "common/big_endian.hpp"
#include "common/unique_fd.hpp"
#include "common/xxh64.hpp"
#include "daemon/store/gallop.hpp"
#include "daemon/store/history.hpp"
#include "daemon/sys/durable_file.hpp"

namespace asncounter {

namespace {

constexpr std::string_view kMagic = "asncounter-history 2\n", kMagicV1 = "asncounter-history 1\n";
constexpr std::uint8_t kHeader = 'H', kKeys = 'K', kStep = 'S', kEnd = 'E';
constexpr std::size_t kKeysPerRecord = 65536;
// No record of a sound file comes near this (a full table's step with every
// field is ~25 MB); a length beyond it is damage, not an allocation.
constexpr std::uint32_t kMaxRecord = std::uint32_t{1} << 30;
constexpr std::size_t kRecordHead = 5, kRecordTail = 8;

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void put_le(std::string& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}

std::uint64_t load_le(const std::uint8_t* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= std::uint64_t{p[i]} << (8 * i);
  return v;
}

std::uint64_t record_sum(std::uint8_t type, std::string_view payload) {
  return xxh64({reinterpret_cast<const unsigned char*>(payload.data()), payload.size()},
               (std::uint64_t{type} << 32) | payload.size());
}

void write_record(DurableFile& f, std::uint8_t type, std::string_view payload) {
  std::string head;
  head.push_back(static_cast<char>(type));
  put_le(head, payload.size(), 4);
  f.write(head);
  f.write(payload);
  std::string tail;
  put_le(tail, record_sum(type, payload), 8);
  f.write(tail);
}

void put_name(std::string& out, const RowKey& k) {
  if (is_other_prefixes(k)) {  // family 0: an ASN's "other prefixes" (v2)
    out.push_back(0);
    put_varint(out, k.asn);
    return;
  }
  const Address& a = k.prefix.addr;
  out.push_back(static_cast<char>(a.family));
  out.push_back(static_cast<char>(k.prefix.len));
  if (a.is_v4()) {
    for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>(a.v4 >> (8 * i)));
  } else {
    for (std::uint64_t half : {a.v6.hi, a.v6.lo})
      for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>(half >> (8 * i)));
  }
  put_varint(out, k.asn);
}

// A cursor over one record's payload that never reads past it.
struct Cursor {
  const std::uint8_t* p;
  const std::uint8_t* end;
  bool bad = false;

  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
      if (p == end) break;
      const std::uint8_t b = *p++;
      if (shift == 63 && b > 1) break;  // more than 64 bits
      v |= std::uint64_t{b & 0x7FU} << shift;
      if (!(b & 0x80)) return v;
    }
    bad = true;
    return 0;
  }
  std::uint8_t byte() {
    if (p == end) return bad = true, 0;
    return *p++;
  }
  const std::uint8_t* take(std::size_t n) {
    if (static_cast<std::size_t>(end - p) < n) return bad = true, nullptr;
    return std::exchange(p, p + n);
  }
  bool done() const { return !bad && p == end; }
};

// The prefix named in a key record, or nullopt: only canonical prefixes
// (length within the family, host bits zero) are taken.
std::optional<RowKey> read_name(Cursor& c) {
  const std::uint8_t family = c.byte();
  if (family == 0) {
    const std::uint64_t asn = c.varint();
    if (asn > UINT32_MAX) return std::nullopt;
    return other_prefixes_key(static_cast<std::uint32_t>(asn));
  }
  const std::uint8_t len = c.byte();
  RowKey k;
  if (family == 4) {
    const std::uint8_t* a = c.take(4);
    if (!a || len > 32) return std::nullopt;
    const std::uint32_t v = load_be32(a);
    if (len < 32 && (v << len) != 0) return std::nullopt;
    k.prefix = Prefix{Address::from_v4(v), len};
  } else if (family == 6) {
    const std::uint8_t* a = c.take(16);
    if (!a || len > 128) return std::nullopt;
    const V6 v{load_be64(a), load_be64(a + 8)};
    const bool host_bits =
        len < 64 ? ((v.hi << len) != 0 || v.lo != 0) : len < 128 && (v.lo << (len - 64)) != 0;
    if (host_bits) return std::nullopt;
    k.prefix = Prefix{Address::from_v6(v), len};
  } else {
    return std::nullopt;
  }
  const std::uint64_t asn = c.varint();
  if (asn > UINT32_MAX) return std::nullopt;
  k.asn = static_cast<std::uint32_t>(asn);
  return k;
}

Result<std::size_t> read_exact(int fd, std::uint8_t* out, std::size_t n, const std::string& path) {
  std::size_t got = 0;
  while (got < n) {
    ssize_t r = ::read(fd, out + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return Error{path + ": cannot read the history file: " + std::strerror(errno)};
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  return got;
}

}  // namespace

std::string history_path(const std::string& state_dir) {
  return (std::filesystem::path(state_dir) / "history.state").string();
}

bool decode_step_checked(std::span<const std::uint8_t> data, std::uint32_t entries, std::uint8_t fields,
                         std::uint64_t bytes_per_hit, std::vector<StepEntry>& out) {
  out.clear();
  // Every entry takes at least two bytes: a count beyond that is a lie.
  if (entries > data.size() / 2 || (fields & ~EncodedStep::kAllFields)) return false;
  out.reserve(entries);
  Cursor c{data.data(), data.data() + data.size()};
  std::uint64_t key = 0;
  for (std::uint32_t i = 0; i < entries; ++i) {
    const std::uint64_t gap = c.varint();
    if (i > 0 && gap == 0) return false;  // keys strictly ascending
    key += gap;
    if (key > UINT32_MAX) return false;
    StepEntry e{static_cast<std::uint32_t>(key), {}};
    e.counts.hits = c.varint();
    if (fields & EncodedStep::kBytes) {
      e.counts.bytes = c.varint();
      if (fields & EncodedStep::kBytesVsHits)
        e.counts.bytes = e.counts.hits * bytes_per_hit + step_codec_detail::unzigzag(e.counts.bytes);
    }
    if (fields & EncodedStep::kLatency) {
      e.counts.latency_us_sum = c.varint();
      e.counts.latency_samples = c.varint();
    }
    if (c.bad) return false;
    out.push_back(e);
  }
  return c.done();
}

Result<HistoryFileSummary> save_history_file(const std::string& state_dir, const HistoryImage& image) {
  // The keys the steps use: a byte per prefix id and per orphan, so the
  // dictionary names only those.
  const std::size_t ids = image.table ? image.table->prefix_count() + 1 : 1;
  std::vector<std::uint8_t> used_ids(ids), used_orphans(image.orphans.size());
  for (const ImageStep& s : image.steps)
    for_each_entry(s.data, [&](std::uint32_t key, const Counts&) {
      if (key & History::kOrphanKey) {
        if ((key & ~History::kOrphanKey) < used_orphans.size()) used_orphans[key & ~History::kOrphanKey] = 1;
      } else if (key != kUnrouted && key < ids) {
        used_ids[key] = 1;
      }
    });

  DurableFile f(history_path(state_dir), 0640);
  f.write(kMagic);
  HistoryFileSummary summary;
  std::size_t records = 0;
  std::string payload;
  put_varint(payload, static_cast<std::uint64_t>(std::max<std::int64_t>(image.saved_at_ms, 0)));
  write_record(f, kHeader, payload), ++records;

  std::size_t in_chunk = 0;
  std::string chunk;
  std::uint32_t prev = 0;
  auto flush_keys = [&] {
    if (!in_chunk) return;
    payload.clear();
    put_varint(payload, in_chunk);
    payload += chunk;
    write_record(f, kKeys, payload), ++records;
    chunk.clear();
    in_chunk = 0;
  };
  auto name_key = [&](std::uint32_t key, const RowKey& name) {
    put_varint(chunk, key - prev);
    prev = key;
    put_name(chunk, name);
    ++summary.keys;
    if (++in_chunk == kKeysPerRecord) flush_keys();
  };
  for (std::uint32_t id = 1; id < ids; ++id)
    if (used_ids[id]) name_key(id, RowKey{image.table->prefix(id), image.table->asn(id)});
  for (std::uint32_t i = 0; i < used_orphans.size(); ++i)
    if (used_orphans[i]) name_key(History::kOrphanKey | i, image.orphans[i]);
  flush_keys();
  std::vector<std::uint8_t>().swap(used_ids);

  for (const ImageStep& s : image.steps) {
    payload.clear();
    put_varint(payload, static_cast<std::uint64_t>(std::max<std::int64_t>(s.age_from.count(), 0)));
    put_varint(payload, static_cast<std::uint64_t>(std::max<std::int64_t>(s.age_to.count(), 0)));
    put_varint(payload, s.data.entries);
    payload.push_back(static_cast<char>(s.data.fields));
    put_varint(payload, s.data.bytes_per_hit);
    payload.push_back(static_cast<char>(s.how.tier));
    payload.push_back(static_cast<char>(s.how.filling ? 1 : 0));
    put_varint(payload, s.how.bound.hits);
    put_varint(payload, s.how.bound.bytes);
    payload.append(reinterpret_cast<const char*>(s.data.data.data()), s.data.data.size());
    write_record(f, kStep, payload), ++records;
    ++summary.steps;
  }
  payload.clear();
  put_varint(payload, records);
  put_varint(payload, summary.steps);
  put_varint(payload, summary.keys);
  write_record(f, kEnd, payload);
  summary.present = true;
  summary.bytes = f.size();
  if (auto done = f.commit(); !done) return Error{done.error()};
  return summary;
}

Result<HistoryFileSummary> read_history_file(const std::string& path, HistoryFileSink* sink,
                                             std::uint64_t max_bytes) {
  HistoryFileSummary summary;
  const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd && errno == ENOENT) return summary;
  if (!fd) return Error{path + ": cannot open the history file: " + std::strerror(errno)};
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    return Error{path + ": cannot read the history file: " + std::strerror(errno)};
  summary.present = true;
  summary.bytes = static_cast<std::size_t>(st.st_size);
  auto damaged = [&](std::size_t offset, const std::string& why) {
    summary.damage = path + ": damaged history file at byte " + std::to_string(offset) + ": " + why;
    return summary;
  };
  if (!S_ISREG(st.st_mode)) return damaged(0, "not a regular file");
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes)
    return damaged(0, std::to_string(st.st_size) + " bytes, more than the " + std::to_string(max_bytes) +
                          " a history of this size can need");

  std::vector<std::uint8_t> buf(kMagic.size());
  auto got = read_exact(fd.get(), buf.data(), buf.size(), path);
  if (!got) return Error{got.error()};
  const bool v1 = *got == kMagicV1.size() && std::memcmp(buf.data(), kMagicV1.data(), kMagicV1.size()) == 0;
  if (!v1 && (*got != kMagic.size() || std::memcmp(buf.data(), kMagic.data(), kMagic.size()) != 0))
    return damaged(0, "not an asncounter history file");

  std::size_t offset = kMagic.size(), records = 0;
  std::vector<std::uint32_t> known;  // the keys named so far, ascending
  std::vector<HistoryFileKey> names;
  std::vector<StepEntry> entries;
  bool header = false, stepping = false;
  for (;;) {
    std::uint8_t head[kRecordHead];
    got = read_exact(fd.get(), head, sizeof head, path);
    if (!got) return Error{got.error()};
    if (*got == 0) return damaged(offset, "no end record (cut short)");
    if (*got != sizeof head) return damaged(offset, "cut short in a record header");
    const std::uint8_t type = head[0];
    const auto len = static_cast<std::uint32_t>(load_le(head + 1, 4));
    if (len > kMaxRecord || len > static_cast<std::uint64_t>(st.st_size))
      return damaged(offset, "a record of " + std::to_string(len) + " bytes");
    buf.resize(len + kRecordTail);
    got = read_exact(fd.get(), buf.data(), buf.size(), path);
    if (!got) return Error{got.error()};
    if (*got != buf.size()) return damaged(offset, "cut short in a record");
    const std::string_view payload(reinterpret_cast<const char*>(buf.data()), len);
    if (load_le(buf.data() + len, 8) != record_sum(type, payload))
      return damaged(offset, "checksum mismatch");
    Cursor c{buf.data(), buf.data() + len};

    if (!header) {
      const std::uint64_t at = c.varint();
      if (type != kHeader || !c.done() || at > INT64_MAX) return damaged(offset, "no header record first");
      header = true;
      if (sink) sink->saved_at(static_cast<std::int64_t>(at));
    } else if (type == kKeys) {
      if (stepping) return damaged(offset, "keys after the steps");
      const std::uint64_t n = c.varint();
      if (c.bad || n == 0 || n > len) return damaged(offset, "malformed key record");
      names.clear();
      std::uint64_t key = known.empty() ? 0 : known.back();
      for (std::uint64_t i = 0; i < n; ++i) {
        const std::uint64_t gap = c.varint();
        key += gap;
        auto name = read_name(c);
        if (c.bad || gap == 0 || key > UINT32_MAX || !name) return damaged(offset, "malformed key");
        known.push_back(static_cast<std::uint32_t>(key));
        names.push_back(HistoryFileKey{static_cast<std::uint32_t>(key), *name});
      }
      if (!c.done()) return damaged(offset, "bytes after the keys");
      summary.keys += names.size();
      if (sink) sink->keys(names);
    } else if (type == kStep) {
      stepping = true;
      const std::uint64_t from = c.varint(), to = c.varint(), n = c.varint();
      const std::uint8_t fields = c.byte();
      std::uint64_t bytes_per_hit = 0;
      ImportedStep how;
      if (!v1) {
        bytes_per_hit = c.varint();
        how.tier = c.byte();
        const std::uint8_t filling = c.byte();
        how.filling = filling == 1;
        how.bound.hits = c.varint();
        how.bound.bytes = c.varint();
        if (filling > 1) return damaged(offset, "malformed step");
      }
      if (c.bad || from > INT64_MAX || to > INT64_MAX || n > UINT32_MAX)
        return damaged(offset, "malformed step");
      if (!decode_step_checked({c.p, c.end}, static_cast<std::uint32_t>(n), fields, bytes_per_hit, entries))
        return damaged(offset, "malformed step entries");
      // Keys ascend in both, so one forward search per entry.
      auto it = known.cbegin();
      for (const StepEntry& e : entries) {
        if (e.key == kUnrouted) continue;
        it = gallop_lower_bound(it, known.cend(), e.key, std::less<>());
        if (it == known.cend() || *it != e.key)
          return damaged(offset, "a step uses a key the file does not name");
      }
      ++summary.steps;
      if (sink)
        sink->step(std::chrono::milliseconds(static_cast<std::int64_t>(from)),
                   std::chrono::milliseconds(static_cast<std::int64_t>(to)), entries, how);
    } else if (type == kEnd) {
      const std::uint64_t n_records = c.varint(), n_steps = c.varint(), n_keys = c.varint();
      if (!c.done() || n_records != records || n_steps != summary.steps || n_keys != summary.keys)
        return damaged(offset, "the end record does not count what the file holds");
      std::uint8_t extra = 0;
      got = read_exact(fd.get(), &extra, 1, path);
      if (!got) return Error{got.error()};
      if (*got != 0) return damaged(offset + kRecordHead + len + kRecordTail, "data after the end record");
      return summary;
    } else {
      return damaged(offset, "unknown record type " + std::to_string(type));
    }
    ++records;
    offset += kRecordHead + len + kRecordTail;
  }
}

}  // namespace asncounter
