#include "common/table/table_file.hpp"

#include <algorithm>
#include <cstring>
#include <string_view>

#include "common/table/byte_stream.hpp"
#include "common/table/ipasn.hpp"
#include "common/table/mrt_reader.hpp"

namespace asncounter {
namespace {

constexpr std::size_t kPeek = 64;

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

// MRT types of RFC 6396 (and the deprecated ones before it); each is below
// 256, so byte 4 of a header is zero, which text never holds.
bool known_mrt_type(unsigned type) {
  static constexpr unsigned kTypes[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16, 17, 32, 33, 48, 49};
  return std::find(std::begin(kTypes), std::end(kTypes), type) != std::end(kTypes);
}

}  // namespace

std::optional<TableFormat> detect_table_format(std::span<const unsigned char> head) noexcept {
  if (head.size() >= 12 && head[4] == 0 && known_mrt_type(head[5])) return TableFormat::mrt;
  if (head.empty()) return std::nullopt;
  // ipasn is ASCII text: comments, prefixes, tabs and newlines.
  bool text = std::all_of(head.begin(), head.end(), [](unsigned char c) {
    return c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c < 0x7f);
  });
  if (text) return TableFormat::ipasn;
  return std::nullopt;
}

Result<RouteSet> read_table_file(const std::string& path, const std::atomic<bool>* stop) {
  auto opened = ByteStream::open(path, stop);
  if (!opened) return Error{opened.error()};
  std::unique_ptr<ByteStream> in = std::move(*opened);
  std::string head(kPeek, '\0');
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
  if (!format) return Error{path + ": neither an MRT dump nor an ipasn table (after decompression)"};
  ReplayStream replay(std::move(in), std::move(head));
  auto routes = *format == TableFormat::mrt ? read_mrt(replay, path) : read_ipasn(replay, path);
  if (routes) {
    routes->info.source = path;
    routes->info.format = *format == TableFormat::mrt ? "mrt" : "ipasn";
  }
  return routes;
}

Result<std::shared_ptr<const LpmTable>> load_table(const std::string& path, const std::atomic<bool>* stop) {
  auto routes = read_table_file(path, stop);
  if (!routes) return Error{routes.error()};
  return LpmTable::build(routes->routes, routes->info);
}

}  // namespace asncounter
