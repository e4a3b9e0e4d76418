#include "daemon/rpc/pieced_answer.hpp"

#include <utility>

namespace asncounter::rpc {

void PiecedAnswer::text(std::string t) { parts_.push_back(Part{std::move(t), 0, {}}); }

void PiecedAnswer::prepend(std::string t) {
  parts_.insert(parts_.begin() + static_cast<std::ptrdiff_t>(part_), Part{std::move(t), 0, {}});
}

void PiecedAnswer::rows(std::size_t count, RowPrinter print) {
  if (count > 0) parts_.push_back(Part{{}, count, std::move(print)});
}

bool PiecedAnswer::next(std::string& out, std::size_t budget) {
  const std::size_t stop = out.size() + budget;
  while (part_ < parts_.size() && out.size() < stop) {
    Part& part = parts_[part_];
    if (!part.print) {
      out += part.text;
      std::string().swap(part.text);  // printed: its memory goes now
      ++part_;
      continue;
    }
    for (; row_ < part.rows && out.size() < stop; ++row_) {
      if (row_ > 0) out += ',';
      part.print(out, row_);
    }
    if (row_ == part.rows) {
      part.print = nullptr;  // and with it what the rows were printed from
      ++part_;
      row_ = 0;
    }
  }
  return part_ < parts_.size();
}

std::string PiecedAnswer::rest() {
  std::string out;
  while (next(out, SIZE_MAX / 2)) {
  }
  return out;
}

}  // namespace asncounter::rpc
