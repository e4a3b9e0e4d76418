#pragma once
// An /api/ request's query string turned into the RPC's parameters, checked
// against the method's row of common/rpc.hpp (the same declaration the
// socket and asncounterctl use): an unknown, repeated, missing or bad
// parameter is an error that names it.

#include <string>
#include <string_view>
#include <variant>

#include "common/rpc.hpp"

namespace asncounter::web {

struct QueryError {
  std::string parameter;  ///< the key to blame
  std::string message;
};

/// The parameters of `method` from `query` (the part after '?', may be
/// empty). Integer values are plain decimal; `window` also takes a duration
/// (90s, 5m, 1h, 1d) as asncounterctl's --window does.
std::variant<rpc::Params, QueryError> parse_api_query(const rpc::Method& method, std::string_view query);

/// `text` with %XX and '+' decoded; nullopt on a broken escape.
std::optional<std::string> percent_decode(std::string_view text);

}  // namespace asncounter::web
