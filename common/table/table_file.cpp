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
    {TableFormat::mrt, "mrt", is_mrt_head, read_mrt},
    {TableFormat::ipasn, "ipasn", is_ipasn_head, read_ipasn},
};
static_assert(std::size(kTableFormats) == static_cast<std::size_t>(TableFormat::ipasn),
              "every TableFormat but none has its row");

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
  std::string head(kTablePeek, '\0');
  std::size_t got = 0;
  while (got < head.size()) {
    std::size_t n = in->read(head.data() + got, head.size() - got);
    if (n == 0) break;
    got += n;
  }
  if (!in->error().empty()) return Error{in->error()};
  head.resize(got);
  if (got == 0) return Error{path + ": empty table file"};
  auto format = detect_table_format({reinterpret_cast<const unsigned char*>(head.data()), head.size()});
  if (!format)
    return Error{path + ": not a table format this reads (after decompression; tried " + format_names() +
                 ")"};
  ReplayStream replay(std::move(in), std::move(head));
  auto routes = row_of(*format)->read(replay, path, limits.max_prefixes);
  if (routes) {
    routes->info.source = path;
    routes->info.format = *format;
  }
  return routes;
}

Result<std::shared_ptr<const LpmTable>> load_table(const std::string& path, const std::atomic<bool>* stop,
                                                   const TableLimits& limits) {
  auto routes = read_table_file(path, stop, limits);
  if (!routes) return Error{routes.error()};
  return LpmTable::build(routes->routes, routes->info);
}

}  // namespace asncounter
