#pragma once
// Long answers as pieces: a report table row by row (top, prefixes, report)
// and an object with one long array (asn, as-prefixes). Each keeps what its
// rows are printed from (the raw rows, the AS names) until they are printed.

#include <cstddef>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "common/counts.hpp"
#include "common/table/as_names.hpp"
#include "daemon/rpc/pieced_answer.hpp"

namespace asncounter::rpc {

/// A report table in to_json's shape, with `members` (",\"truncated\":true"
/// and the like, already JSON) put before its closing brace.
void add_table(PiecedAnswer& answer, AsnTable table, std::shared_ptr<const AsNames> names,
               std::string_view members);
void add_table(PiecedAnswer& answer, PrefixTable table, std::shared_ptr<const AsNames> names,
               std::string_view members);

/// `object` with its array member `key` holding `count` elements, each printed
/// by `print` when its turn comes.
void add_object_with_array(PiecedAnswer& answer, const nlohmann::json& object, std::string_view key,
                           std::size_t count, PiecedAnswer::RowPrinter print);

}  // namespace asncounter::rpc
