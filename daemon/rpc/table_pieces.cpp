#include "daemon/rpc/table_pieces.hpp"

#include <nlohmann/json.hpp>
#include <utility>

#include "common/json_text.hpp"
#include "common/report.hpp"

namespace asncounter::rpc {
namespace {

template <class Row>
void add_rows(PiecedAnswer& answer, TopTable<Row> table, std::shared_ptr<const AsNames> names,
              std::string_view members) {
  // Printable rows are made as their piece is printed: the raw rows are a
  // fraction of their size (no names, no text).
  table.rows.shrink_to_fit();  // held until printed: no room asked beyond the cap
  auto rows = std::make_shared<const TopTable<Row>>(std::move(table));
  ReportTable head = report_head(*rows);
  auto [open, close] = to_json_around_rows(head);
  close.insert(close.size() - 1, members);
  answer.text(std::move(open));
  answer.rows(rows->rows.size(), [rows, names = std::move(names), head](std::string& out, std::size_t i) {
    append_json_row(out, head, make_report_row(rows->rows[i], names.get()));
  });
  answer.text(std::move(close));
}

}  // namespace

void add_table(PiecedAnswer& answer, AsnTable table, std::shared_ptr<const AsNames> names,
               std::string_view members) {
  add_rows(answer, std::move(table), std::move(names), members);
}

void add_table(PiecedAnswer& answer, PrefixTable table, std::shared_ptr<const AsNames> names,
               std::string_view members) {
  add_rows(answer, std::move(table), std::move(names), members);
}

void add_object_with_array(PiecedAnswer& answer, const nlohmann::json& object, std::string_view key,
                           std::size_t count, PiecedAnswer::RowPrinter print) {
  auto [open, close] = json_around_array(object, key);
  answer.text(std::move(open));
  answer.rows(count, std::move(print));
  answer.text(std::move(close));
}

}  // namespace asncounter::rpc
