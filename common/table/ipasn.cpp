#include "common/table/ipasn.hpp"

#include "common/dump_stamp.hpp"
#include "common/parse_number.hpp"
#include "common/table/seen_prefixes.hpp"
#include "common/trim.hpp"
#include "common/unique_fd.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace asncounter {
namespace {

constexpr std::size_t kChunk = std::size_t{1} << 20;

// pyasn's converter names the dump it read ("; Original file : rib.20140513.0600.bz2");
// the dump time is in that name.
std::int64_t dump_time_from_comment(std::string_view line) {
  if (line.find("Original file") == std::string_view::npos) return 0;
  for (std::size_t i = 0; i + kDumpStampSize <= line.size(); ++i) {
    const std::string_view stamp = line.substr(i, kDumpStampSize);
    if (!looks_like_dump_stamp(stamp)) continue;
    if (i > 0 && line[i - 1] >= '0' && line[i - 1] <= '9') continue;
    return dump_stamp_time(stamp).value_or(0);
  }
  return 0;
}

constexpr const char* kUtcFormat = "%Y-%m-%d %H:%M:%S UTC";
constexpr std::string_view kDumpTimeLabel = "Dump time";

// The line dump_time_comment() writes: a source's name need not carry the
// dump time.
std::optional<std::int64_t> dump_time_line(std::string_view line) {
  auto at = line.find(kDumpTimeLabel);
  if (at == std::string_view::npos) return std::nullopt;
  auto colon = line.find(':', at);
  if (colon == std::string_view::npos) return std::nullopt;
  std::string value(text::trim(line.substr(colon + 1)));
  std::tm tm{};
  const char* end = strptime(value.c_str(), kUtcFormat, &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return static_cast<std::int64_t>(timegm(&tm));
}

// One line (without its newline) into `set`, unless `seen` says its prefix
// already has a route (pyasn's first-wins rule, and a repeated line costs no
// memory); false when it is malformed.
bool parse_line(std::string_view line, RouteSet& set, SeenPrefixes& seen) {
  line = text::trim(line);
  if (line.empty()) return true;
  ++set.records;
  if (line.front() == ';' || line.front() == '#') {
    ++set.skipped_records;
    if (auto t = dump_time_line(line))
      set.info.dump_time = *t;  // stated outright: wins over a date in a file name
    else if (set.info.dump_time == 0)
      set.info.dump_time = dump_time_from_comment(line);
    return true;
  }
  // pyasn writes a tab; hand-written files sometimes have spaces.
  std::size_t sep = line.find_first_of(" \t");
  if (sep == std::string_view::npos) return false;
  auto prefix = parse_prefix(line.substr(0, sep), true);
  // ASN 0 is no origin: pyasn refuses it too.
  auto asn = parse_unsigned<std::uint32_t>(text::trim(line.substr(sep + 1)));
  if (asn == 0U) asn.reset();
  if (!prefix || !asn) return false;
  if (prefix->len == 0) {
    ++set.dropped_routes;  // default routes say nothing about origin
    return true;
  }
  if (seen.contains(*prefix)) return true;
  set.routes.push_back(Route{*prefix, *asn});
  seen.add_last();
  return true;
}

struct GzCloser {
  void operator()(gzFile f) const { gzclose(f); }
};

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

Result<RouteSet> read_ipasn(ByteStream& in, const std::string& name, std::uint64_t max_prefixes) {
  RouteSet set;
  SeenPrefixes seen(set.routes);
  set.info.source = name;
  set.info.format = TableFormat::ipasn;
  std::string buf;
  std::size_t line_no = 0;
  std::size_t keep = 0;  // bytes of an unfinished line carried to the next chunk
  for (;;) {
    buf.resize(keep + kChunk);
    std::size_t got = in.read(buf.data() + keep, kChunk);
    if (!in.error().empty()) {
      // A file stream's error names its file already.
      const std::string& why = in.error();
      return Error{why.find(name) == std::string::npos ? name + ": " + why : why};
    }
    std::size_t size = keep + got;
    bool last = got == 0;
    std::string_view data(buf.data(), size);
    std::size_t pos = 0;
    for (;;) {
      std::size_t nl = data.find('\n', pos);
      if (nl == std::string_view::npos) {
        if (!last) break;
        if (pos == size) break;
        nl = size;  // the last line may lack its newline
      }
      ++line_no;
      std::string_view line = data.substr(pos, nl - pos);
      if (line.find('\0') != std::string_view::npos || !parse_line(line, set, seen)) {
        std::string shown(line.substr(0, 80));
        for (char& c : shown)
          if (static_cast<unsigned char>(c) < 0x20) c = '?';
        return Error{name + ":" + std::to_string(line_no) +
                     ": malformed ipasn line (want prefix/len<TAB>asn): '" + shown + "'"};
      }
      if (set.routes.size() > max_prefixes)
        return Error{name + ":" + std::to_string(line_no) + ": more than " + std::to_string(max_prefixes) +
                     " distinct prefixes (table-max-prefixes)"};
      pos = nl + 1;
      if (pos > size) pos = size;
    }
    if (last) break;
    keep = size - pos;
    if (keep > kChunk) return Error{name + ":" + std::to_string(line_no + 1) + ": line too long"};
    std::memmove(buf.data(), buf.data() + pos, keep);
  }
  return set;
}

Result<RouteSet> read_ipasn_file(const std::string& path) {
  auto stream = ByteStream::open(path);
  if (!stream) return Error{stream.error()};
  return read_ipasn(**stream, path);
}

Result<std::size_t> write_ipasn(const std::string& path, const std::vector<Route>& routes,
                                const std::vector<std::string>& comment) {
  std::string text;
  text.reserve(routes.size() * 24 + 256);
  for (const auto& c : comment) {
    text += "; ";
    text += c;
    text += '\n';
  }
  std::size_t written = 0;
  for (const auto& r : routes) {
    if (r.prefix.len == 0) continue;  // never written: a reader would drop it anyway
    append_to(text, r.prefix);
    text += '\t';
    text += std::to_string(r.asn);
    text += '\n';
    ++written;
  }
  // Write beside the target and rename, so a reader never sees half a file.
  std::string tmp = path + ".tmp";
  if (ends_with(path, ".gz")) {
    std::unique_ptr<gzFile_s, GzCloser> gz(gzopen(tmp.c_str(), "wb6"));
    if (!gz) return Error{tmp + ": cannot create: " + std::strerror(errno)};
    std::size_t off = 0;
    while (off < text.size()) {
      auto n = static_cast<unsigned>(std::min<std::size_t>(text.size() - off, 1U << 30));
      if (gzwrite(gz.get(), text.data() + off, n) != static_cast<int>(n)) {
        std::remove(tmp.c_str());
        return Error{tmp + ": write failed"};
      }
      off += n;
    }
    if (gzclose(gz.release()) != Z_OK) {
      std::remove(tmp.c_str());
      return Error{tmp + ": write failed"};
    }
  } else {
    UniqueFile f(std::fopen(tmp.c_str(), "wb"));
    if (!f) return Error{tmp + ": cannot create: " + std::strerror(errno)};
    bool ok = std::fwrite(text.data(), 1, text.size(), f.get()) == text.size();
    ok = close_file(f) && ok;
    if (!ok) {
      std::remove(tmp.c_str());
      return Error{tmp + ": write failed: " + std::strerror(errno)};
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    return Error{path + ": cannot rename into place: " + why};
  }
  return written;
}

std::string format_utc(std::int64_t unix_time) { return utc_text(unix_time, kUtcFormat); }

std::string dump_time_comment(std::int64_t unix_time) {
  return std::string(kDumpTimeLabel) + "     : " + format_utc(unix_time);
}

bool is_ipasn_head(std::span<const unsigned char> head) noexcept {
  auto text_byte = [](unsigned char c) {
    return c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c < 0x7f);
  };
  if (head.empty() || !std::all_of(head.begin(), head.end(), text_byte)) return false;
  std::string_view data(reinterpret_cast<const char*>(head.data()), head.size());
  try {
    RouteSet scratch;
    SeenPrefixes seen(scratch.routes);
    std::size_t pos = 0;
    for (std::size_t nl; (nl = data.find('\n', pos)) != std::string_view::npos; pos = nl + 1)
      if (!parse_line(data.substr(pos, nl - pos), scratch, seen)) return false;
    // The last line may be cut where the peek ended: only its characters can be checked.
    std::string_view rest = text::trim(data.substr(pos));
    if (rest.empty() || rest.front() == ';' || rest.front() == '#') return true;
    return rest.find_first_not_of("0123456789abcdefABCDEF.:/ \t") == std::string_view::npos;
  } catch (...) {
    return false;  // out of memory for the scratch routes: not worth a crash
  }
}

}  // namespace asncounter
