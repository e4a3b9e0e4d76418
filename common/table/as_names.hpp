#pragma once
// AS names ("NAME, CC"): pyasn's asnames.json and the cidr-report
// autnums.html page it is made from.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/result.hpp"

namespace asncounter {

class AsNames {
 public:
  /// Reads a file (plain, gzip or bzip2) holding asnames.json or autnums.html,
  /// told apart by content.
  static Result<AsNames> load(const std::string& path);
  /// load(), shared; none (a null pointer) when `path` is empty, the
  /// "no names configured" case every caller has.
  static Result<std::shared_ptr<const AsNames>> load_shared(const std::string& path);
  /// {"64496": "NAME, CC", ...}
  static Result<AsNames> parse_json(std::string_view text);
  /// cidr-report's <a href="...">AS64496 </a>NAME, CC lines.
  static Result<AsNames> parse_autnums_html(std::string_view text);

  /// The name of `asn`, or nullopt when unknown.
  std::optional<std::string_view> name(std::uint32_t asn) const;
  std::size_t size() const { return names_.size(); }
  /// The ASNs whose name contains `text` (ASCII case ignored), by ASN, at
  /// most `most` of them: "which ASN is OVH?" without a grep.
  std::vector<std::pair<std::uint32_t, std::string_view>> find(std::string_view text, std::size_t most) const;

 private:
  std::unordered_map<std::uint32_t, std::string> names_;
};

}  // namespace asncounter
