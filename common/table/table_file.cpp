#include "common/table/table_file.hpp"

#include <algorithm>
#include <cstring>
#include <string_view>

#include "common/registry.hpp"
#include "common/table/byte_stream.hpp"
#include "common/table/ipasn.hpp"
#include "common/table/mrt_reader.hpp"

namespace asncounter {
namespace {

// Hands out the bytes peeked at for detection, then the rest of the stream,
// so that detection costs no second decompression.
class ReplayStream final : public ByteStream {
 public:
  ReplayStream(std::unique_ptr<ByteStream> inner, std::string head)
      : inner_(std::move(inner)), head_(std::move(head)) {
    compression_ = inner_->compression();
  }
  std::size_t read(void* buf, std::size_t size) override {
    std::size_t n = 0;
    if (pos_ < head_.size()) {
      n = std::min(size, head_.size() - pos_);
      std::memcpy(buf, head_.data() + pos_, n);
      pos_ += n;
    } else {
      n = inner_->read(buf, size);
      error_ = inner_->error();
      eof_ = inner_->eof();
    }
    offset_ += n;
    return n;
  }

 private:
  std::unique_ptr<ByteStream> inner_;
  std::string head_;
  std::size_t pos_ = 0;
};

// Detection order: MRT first, its binary header is checked field by field;
// then ipasn, whose check parses the first lines as the reader would.
constexpr TableFormatRow kTableFormats[] = {
    {TableFormat::mrt, "mrt", is_mrt_head, read_mrt, verify_mrt},
    {TableFormat::ipasn, "ipasn", is_ipasn_head, read_ipasn, read_to_end},
};
static_assert(std::size(kTableFormats) + 1 == static_cast<std::size_t>(TableFormat::count_),
              "every TableFormat but none needs its row");

const TableFormatRow* row_of(TableFormat format) {
  for (const TableFormatRow& row : kTableFormats)
    if (row.format == format) return &row;
  return nullptr;
}

// "mrt and ipasn", for the error that none of them matched.
std::string format_names() {
  return registry::join_rows(
      kTableFormats, [](const TableFormatRow& r) { return r.name; },
      [](const TableFormatRow&) { return true; }, " and ");
}

// The first kTablePeek decompressed bytes (fewer for a short file), with the
// format they announce; the error names the file.
struct Peeked {
  std::string head;
  const TableFormatRow* row = nullptr;
};

Result<Peeked> peek(ByteStream& in, const std::string& path) {
  Peeked p;
  p.head.assign(kTablePeek, '\0');
  std::size_t got = 0;
  while (got < p.head.size()) {
    std::size_t n = in.read(p.head.data() + got, p.head.size() - got);
    if (n == 0) break;
    got += n;
  }
  if (!in.error().empty()) return Error{in.error()};
  p.head.resize(got);
  if (got == 0) return Error{path + ": empty table file"};
  auto format = detect_table_format({reinterpret_cast<const unsigned char*>(p.head.data()), p.head.size()});
  if (!format)
    return Error{path + ": not a table format this reads (after decompression; tried " + format_names() +
                 ")"};
  p.row = row_of(*format);
  return p;
}

}  // namespace

std::span<const TableFormatRow> table_formats() { return kTableFormats; }

std::string_view table_format_name(TableFormat format) noexcept {
  const TableFormatRow* row = row_of(format);
  return row ? row->name : "empty";
}

std::optional<TableFormat> detect_table_format(std::span<const unsigned char> head) noexcept {
  for (const TableFormatRow& row : kTableFormats)
    if (row.detect(head)) return row.format;
  return std::nullopt;
}

Result<RouteSet> read_table_file(const std::string& path, const std::atomic<bool>* stop,
                                 const TableLimits& limits) {
  auto opened = ByteStream::open(path, stop, limits.max_bytes);
  if (!opened) return Error{opened.error()};
  std::unique_ptr<ByteStream> in = std::move(*opened);
  auto peeked = peek(*in, path);
  if (!peeked) return Error{peeked.error()};
  const TableFormatRow& row = *peeked->row;
  ReplayStream replay(std::move(in), std::move(peeked->head));
  auto routes = row.read(replay, path, limits.max_prefixes);
  if (routes) {
    routes->info.source = path;
    routes->info.format = row.format;
  }
  return routes;
}

Result<std::shared_ptr<const LpmTable>> load_table(const std::string& path, const std::atomic<bool>* stop,
                                                   const TableLimits& limits) {
  auto routes = read_table_file(path, stop, limits);
  if (!routes) return Error{routes.error()};
  return LpmTable::build(routes->routes, routes->info);
}

std::string verify_table_file(const std::string& path, const TableLimits& limits) {
  auto opened = ByteStream::open(path, nullptr, limits.max_bytes);
  if (!opened) return opened.error();
  std::unique_ptr<ByteStream> in = std::move(*opened);
  auto peeked = peek(*in, path);
  if (!peeked) return peeked.error();
  if (in->compression() == Compression::bzip2)
    return bzip2_file_complete(path) ? "" : path + ": truncated (the bzip2 stream has no end)";
  // Plain and gzip read quickly: to the end, the head again first.
  const TableFormatRow& row = *peeked->row;
  ReplayStream replay(std::move(in), std::move(peeked->head));
  if (std::string why = row.verify(replay); !why.empty())
    return why.starts_with(path) ? why : path + ": truncated or damaged: " + why;
  return "";
}

}  // namespace asncounter
