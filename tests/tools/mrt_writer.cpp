#include "tests/tools/mrt_writer.hpp"

#include <bzlib.h>
#include <zlib.h>

#include <stdexcept>

#include "common/table/mrt_reader.hpp"

namespace asncounter::test {
namespace {

using Bytes = std::vector<unsigned char>;

void put8(Bytes& b, unsigned v) { b.push_back(static_cast<unsigned char>(v)); }
void put16(Bytes& b, unsigned v) {
  put8(b, v >> 8 & 0xff);
  put8(b, v & 0xff);
}
void put32(Bytes& b, std::uint32_t v) {
  put16(b, v >> 16);
  put16(b, v & 0xffff);
}

// The address in network order: 4 or 16 bytes.
Bytes address_bytes(const Address& a) {
  Bytes b;
  if (a.is_v4()) {
    put32(b, a.v4);
    return b;
  }
  for (std::uint64_t half : {a.v6.hi, a.v6.lo}) {
    put32(b, static_cast<std::uint32_t>(half >> 32));
    put32(b, static_cast<std::uint32_t>(half));
  }
  return b;
}

void put_attribute(Bytes& b, unsigned flags, unsigned type, const Bytes& body) {
  if (body.size() > 255) flags |= 0x10;  // extended length
  put8(b, flags);
  put8(b, type);
  if (flags & 0x10)
    put16(b, static_cast<unsigned>(body.size()));
  else
    put8(b, static_cast<unsigned>(body.size()));
  b.insert(b.end(), body.begin(), body.end());
}

Bytes path_body(const std::vector<AsSegment>& segments, bool four_byte) {
  Bytes b;
  for (const AsSegment& s : segments) {
    if (s.asns.size() > 255) throw std::invalid_argument("AS_PATH segment longer than 255 ASNs");
    put8(b, s.type);
    put8(b, static_cast<unsigned>(s.asns.size()));
    for (std::uint32_t asn : s.asns) {
      if (four_byte) {
        put32(b, asn);
      } else {
        if (asn > 0xffff) throw std::invalid_argument("a 2-byte AS_PATH cannot hold " + std::to_string(asn));
        put16(b, asn);
      }
    }
  }
  return b;
}

// ORIGIN, AS_PATH, NEXT_HOP (or the abbreviated MP_REACH_NLRI of RFC 6396
// 4.3.4 for IPv6), then AS4_PATH: the order routers send them in.
Bytes attributes(const RibEntry& e, Family family, bool four_byte) {
  Bytes b;
  put_attribute(b, 0x40, 1, Bytes{0});
  if (e.with_as_path) put_attribute(b, 0x40, 2, path_body(e.as_path, four_byte));
  if (family == Family::v4) {
    put_attribute(b, 0x40, 3, Bytes{192, 0, 2, 254});
  } else {
    Bytes nh{16, 0x20, 0x01, 0x0d, 0xb8};
    nh.resize(17, 0);
    nh.back() = 0xfe;
    put_attribute(b, 0x80, 14, nh);
  }
  if (!e.as4_path.empty()) put_attribute(b, 0xc0, 17, path_body(e.as4_path, true));
  return b;
}

}  // namespace

AsSegment as_seq(std::vector<std::uint32_t> asns) { return AsSegment{kAsSequence, std::move(asns)}; }
AsSegment as_set(std::vector<std::uint32_t> asns) { return AsSegment{kAsSet, std::move(asns)}; }

RibEntry path_entry(std::vector<std::uint32_t> path, std::uint16_t peer_index) {
  RibEntry e;
  e.as_path.push_back(as_seq(std::move(path)));
  e.peer_index = peer_index;
  return e;
}

void MrtWriter::record(std::uint16_t type, std::uint16_t subtype, std::span<const unsigned char> body) {
  put32(out_, timestamp_);
  put16(out_, type);
  put16(out_, subtype);
  put32(out_, static_cast<std::uint32_t>(body.size()));
  out_.insert(out_.end(), body.begin(), body.end());
}

void MrtWriter::peer_index_table(std::uint16_t peers) {
  Bytes b;
  put32(b, 0xc0000201);  // collector BGP ID 192.0.2.1
  const std::string view = "asncounter-test";
  put16(b, static_cast<unsigned>(view.size()));
  b.insert(b.end(), view.begin(), view.end());
  put16(b, peers);
  for (unsigned i = 0; i < peers; ++i) {
    put8(b, 0x02);             // IPv4 peer address, 4-byte AS
    put32(b, 0xc6336400 + i);  // BGP ID 198.51.100.i
    put32(b, 0xc6336400 + i);
    put32(b, 64496 + i % 16);
  }
  record(mrt::kTableDumpV2, mrt::kPeerIndexTable, b);
}

void MrtWriter::rib(const Prefix& prefix, const std::vector<RibEntry>& entries, bool add_path) {
  const bool v4 = prefix.addr.is_v4();
  Bytes b;
  put32(b, sequence_++);
  put8(b, prefix.len);
  Bytes addr = address_bytes(prefix.addr);
  b.insert(b.end(), addr.begin(), addr.begin() + (prefix.len + 7) / 8);
  put16(b, static_cast<unsigned>(entries.size()));
  for (const RibEntry& e : entries) {
    Bytes attrs = attributes(e, prefix.addr.family, true);
    put16(b, e.peer_index);
    put32(b, timestamp_ - 3600);
    if (add_path) put32(b, e.path_id);
    put16(b, static_cast<unsigned>(attrs.size()));
    b.insert(b.end(), attrs.begin(), attrs.end());
  }
  std::uint16_t subtype = v4 ? (add_path ? mrt::kRibIpv4UnicastAddPath : mrt::kRibIpv4Unicast)
                             : (add_path ? mrt::kRibIpv6UnicastAddPath : mrt::kRibIpv6Unicast);
  record(mrt::kTableDumpV2, subtype, b);
}

void MrtWriter::table_dump(const Prefix& prefix, const RibEntry& entry) {
  const bool v4 = prefix.addr.is_v4();
  Bytes b;
  put16(b, 0);  // view
  put16(b, sequence_++ & 0xffff);
  Bytes addr = address_bytes(prefix.addr);
  b.insert(b.end(), addr.begin(), addr.end());
  put8(b, prefix.len);
  put8(b, 1);  // status, "SHOULD be set to 1"
  put32(b, timestamp_ - 3600);
  Bytes peer = v4 ? Bytes{192, 0, 2, 254} : address_bytes(parse_address("2001:db8::fe").value());
  b.insert(b.end(), peer.begin(), peer.end());
  put16(b, 64496);
  Bytes attrs = attributes(entry, prefix.addr.family, false);
  put16(b, static_cast<unsigned>(attrs.size()));
  b.insert(b.end(), attrs.begin(), attrs.end());
  record(mrt::kTableDump, v4 ? mrt::kAfiIpv4 : mrt::kAfiIpv6, b);
}

std::vector<unsigned char> MrtWriter::take() {
  std::vector<unsigned char> out;
  out.swap(out_);
  return out;
}

struct PackedFile::State {
  Packing packing;
  std::string path;
  std::FILE* file = nullptr;
  gzFile gz = nullptr;
  BZFILE* bz = nullptr;
};

PackedFile::PackedFile(const std::string& path, Packing packing) : state_(std::make_unique<State>()) {
  state_->packing = packing;
  state_->path = path;
  if (packing == Packing::gzip) {
    state_->gz = gzopen(path.c_str(), "wb6");
    if (!state_->gz) throw std::runtime_error("cannot write " + path);
    return;
  }
  state_->file = std::fopen(path.c_str(), "wb");
  if (!state_->file) throw std::runtime_error("cannot write " + path);
  if (packing == Packing::bzip2) {
    int rc = BZ_OK;
    state_->bz = BZ2_bzWriteOpen(&rc, state_->file, 9, 0, 0);
    if (rc != BZ_OK) throw std::runtime_error("cannot start bzip2 for " + path);
  }
}

PackedFile::~PackedFile() {
  try {
    close();
  } catch (...) {  // NOLINT: a destructor must not throw; close() explicitly to see errors
  }
}

void PackedFile::write(std::span<const unsigned char> data) {
  State& s = *state_;
  bool ok = true;
  if (s.gz) {
    ok = data.empty() || gzwrite(s.gz, data.data(), static_cast<unsigned>(data.size())) > 0;
  } else if (s.bz) {
    int rc = BZ_OK;
    BZ2_bzWrite(&rc, s.bz, const_cast<unsigned char*>(data.data()), static_cast<int>(data.size()));
    ok = rc == BZ_OK;
  } else if (s.file) {
    ok = std::fwrite(data.data(), 1, data.size(), s.file) == data.size();
  }
  if (!ok) throw std::runtime_error("cannot write " + s.path);
}

void PackedFile::close() {
  State& s = *state_;
  bool ok = true;
  if (s.gz) ok = gzclose(s.gz) == Z_OK;
  if (s.bz) {
    int rc = BZ_OK;
    BZ2_bzWriteClose(&rc, s.bz, 0, nullptr, nullptr);
    ok = rc == BZ_OK;
  }
  if (s.file) ok = std::fclose(s.file) == 0 && ok;
  s.gz = nullptr;
  s.bz = nullptr;
  s.file = nullptr;
  if (!ok) throw std::runtime_error("cannot finish " + s.path);
}

void write_packed(const std::string& path, std::span<const unsigned char> data, Packing packing) {
  PackedFile f(path, packing);
  f.write(data);
  f.close();
}

std::string packing_suffix(Packing packing) {
  switch (packing) {
    case Packing::gzip:
      return ".gz";
    case Packing::bzip2:
      return ".bz2";
    case Packing::plain:
      break;
  }
  return "";
}

}  // namespace asncounter::test
