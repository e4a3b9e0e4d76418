#include "common/table/as_names.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include <memory>
#include <utility>

#include "common/parse_number.hpp"
#include "common/table/byte_stream.hpp"
#include "common/trim.hpp"

namespace asncounter {
namespace {

constexpr std::size_t kMaxFile = std::size_t{256} << 20;  // real files are ~5 MB

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t extra = 0;
    if (c < 0x80)
      extra = 0;
    else if ((c & 0xE0) == 0xC0 && c >= 0xC2)
      extra = 1;
    else if ((c & 0xF0) == 0xE0)
      extra = 2;
    else if ((c & 0xF8) == 0xF0 && c <= 0xF4)
      extra = 3;
    else
      return false;
    if (extra > s.size() - i - 1) return false;
    for (std::size_t k = 1; k <= extra; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += extra + 1;
  }
  return true;
}

// cidr-report serves Latin-1; pyasn's downloader decodes it as such. Text
// that is valid UTF-8 already is kept as it is.
std::string to_utf8(std::string_view s) {
  if (valid_utf8(s)) return std::string(s);
  std::string out;
  out.reserve(s.size() + 16);
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out += ch;
    } else {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

// pyasn_util_asnames.py matches each line starting with "<a" against
// `<a .+>AS(?P<code>.+?)\s*</a>\s*(?P<name>.*)`: the greedy `.+` picks the
// last ">AS" that a "</a>" follows, the code runs to the first "</a>" after
// it (trailing space dropped) and the name is the rest of the line.
// A ">AS" at p is followed by a "</a>" (one code byte between them) exactly
// when p + 4 <= the last "</a>", so that ">AS" is found with one backward
// scan: linear, where trying each ">AS" with a forward search was quadratic
// (a 2 MiB line of ">AS" took 8.5 s).
std::optional<std::pair<std::string_view, std::string_view>> match_autnums_line(std::string_view line) {
  if (line.size() < 4 || line.substr(0, 3) != "<a ") return std::nullopt;
  std::size_t last_close = line.rfind("</a>");
  if (last_close == std::string_view::npos || last_close < 8) return std::nullopt;
  std::size_t p = line.rfind(">AS", last_close - 4);
  if (p == std::string_view::npos || p < 4) return std::nullopt;  // `<a ` and one byte come first
  std::size_t code_at = p + 3;
  std::size_t close = line.find("</a>", code_at + 1);
  std::size_t code_end = close;
  while (code_end > code_at + 1 && text::is_space(line[code_end - 1])) --code_end;
  std::size_t name_at = close + 4;
  while (name_at < line.size() && text::is_space(line[name_at])) ++name_at;
  std::string_view name = line.substr(name_at);
  while (!name.empty() && name.back() == '\r') name.remove_suffix(1);  // CRLF pages
  return std::make_pair(line.substr(code_at, code_end - code_at), name);
}

}  // namespace

Result<AsNames> AsNames::load(const std::string& path) {
  auto stream = ByteStream::open(path);
  if (!stream) return Error{stream.error()};
  std::string text;
  std::string chunk(std::size_t{1} << 20, '\0');
  for (;;) {
    std::size_t n = (*stream)->read(chunk.data(), chunk.size());
    if (n == 0) break;
    text.append(chunk.data(), n);
    if (text.size() > kMaxFile) return Error{path + ": too large for an AS names file"};
  }
  if (!(*stream)->error().empty()) return Error{(*stream)->error()};
  std::size_t first = text.find_first_not_of(" \t\r\n");
  bool json = first != std::string::npos && text[first] == '{';
  auto names = json ? parse_json(text) : parse_autnums_html(text);
  if (!names) return Error{path + ": " + names.error()};
  return names;
}

// Out of line on purpose: inlined into its callers, GCC 12 warns a false
// -Wfree-nonheap-object on the moved Result<AsNames>.
Result<std::shared_ptr<const AsNames>> AsNames::load_shared(const std::string& path) {
  if (path.empty()) return std::shared_ptr<const AsNames>();
  auto names = load(path);
  if (!names) return Error{names.error()};
  return std::shared_ptr<const AsNames>(std::make_shared<AsNames>(std::move(*names)));
}

Result<AsNames> AsNames::parse_json(std::string_view text) {
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded()) return Error{"not valid JSON"};
  if (!doc.is_object()) return Error{"not a JSON object of ASN: name"};
  AsNames out;
  out.names_.reserve(doc.size());
  for (const auto& [key, value] : doc.items()) {
    auto asn = parse_unsigned<std::uint32_t>(key);
    if (!asn) return Error{"not an AS number: \"" + key.substr(0, 40) + "\""};
    if (!value.is_string()) return Error{"the name of AS" + key + " is not a string"};
    out.names_[*asn] = value.get<std::string>();
  }
  return out;
}

Result<AsNames> AsNames::parse_autnums_html(std::string_view text) {
  AsNames out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.substr(0, 2) != "<a") continue;
    auto m = match_autnums_line(line);
    if (!m) continue;
    auto asn = parse_unsigned<std::uint32_t>(m->first);
    if (!asn) continue;                     // pyasn would keep it as a key nothing can look up
    out.names_[*asn] = to_utf8(m->second);  // a later line wins, as in pyasn's dict
  }
  if (out.names_.empty()) return Error{"no AS names found (want asnames.json or cidr-report autnums.html)"};
  return out;
}

std::optional<std::string_view> AsNames::name(std::uint32_t asn) const {
  auto it = names_.find(asn);
  if (it == names_.end()) return std::nullopt;
  return std::string_view(it->second);
}

std::vector<std::pair<std::uint32_t, std::string_view>> AsNames::find(std::string_view text,
                                                                      std::size_t most) const {
  auto lower = [](char ch) { return ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch - 'A' + 'a') : ch; };
  auto contains = [&](std::string_view name) {
    if (text.size() > name.size()) return false;
    for (std::size_t at = 0; at + text.size() <= name.size(); ++at) {
      std::size_t i = 0;
      while (i < text.size() && lower(name[at + i]) == lower(text[i])) ++i;
      if (i == text.size()) return true;
    }
    return false;
  };
  std::vector<std::pair<std::uint32_t, std::string_view>> out;
  for (const auto& [asn, name] : names_)
    if (contains(name)) out.emplace_back(asn, name);
  std::sort(out.begin(), out.end());
  if (out.size() > most) out.resize(most);
  return out;
}

}  // namespace asncounter
