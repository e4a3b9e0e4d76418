#pragma once
// A long answer written as it is made (DESIGN.md, "Hostile input"): texts and
// runs of rows, printed a piece at a time. The session asks for the next
// piece (on the RPC worker) only once the last one is written, so a client
// that does not read its answer holds one piece, never the whole text, and
// no piece holds a thread for long.

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace asncounter::rpc {

class PiecedAnswer {
 public:
  /// Appends row `i` of a run to `out`; called in order, on one thread at a time.
  using RowPrinter = std::function<void(std::string& out, std::size_t i)>;

  /// Text printed as it is, after what is already there.
  void text(std::string t);
  /// Text printed before everything else (the JSON-RPC envelope's start).
  void prepend(std::string t);
  /// `count` rows, joined by ','.
  void rows(std::size_t count, RowPrinter print);

  /// Appends the next piece to `out`: whole texts and rows until `out` has
  /// grown by at least `budget` bytes (a row or text may go beyond) or the
  /// answer ends; says whether more follows.
  bool next(std::string& out, std::size_t budget);
  /// The rest at once (the one-call dispatch, tests).
  std::string rest();

 private:
  struct Part {
    std::string text;
    std::size_t rows = 0;  // a run of rows when `print` is set
    RowPrinter print;
  };
  std::vector<Part> parts_;
  std::size_t part_ = 0;  // the part being printed
  std::size_t row_ = 0;   // its next row
};

}  // namespace asncounter::rpc
