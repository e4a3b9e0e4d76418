#include "tests/support/many_prefixes.hpp"

#include <cstdint>
#include <system_error>
#include <vector>

#include "common/table/ipasn.hpp"

namespace asncounter::test {

std::optional<std::string> write_many_prefixes(const std::filesystem::path& path, int count) {
  std::vector<Route> routes;
  std::string addresses;
  for (int i = 0; i < count; ++i) {
    std::string net =
        std::to_string(1 + i / 65536) + "." + std::to_string((i / 256) % 256) + "." + std::to_string(i % 256);
    routes.push_back(Route{*parse_prefix(net + ".0/24"), 64496U + static_cast<std::uint32_t>(i % 5)});
    addresses += net + ".1\n";
  }
  std::filesystem::path tmp = path.string() + ".new";
  if (!write_ipasn(tmp.string(), routes, {"a table of many prefixes"})) return std::nullopt;
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return std::nullopt;
  return addresses;
}

}  // namespace asncounter::test
