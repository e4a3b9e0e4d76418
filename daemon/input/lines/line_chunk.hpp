#pragma once
// Parses a run of whole lines held in memory (a piece of a file read with
// pread, a chunk a stream reader cut at a newline) into a LinePump, with
// the same line rules as LineSplitter: "\n" or "\r\n" ends a line, a line
// over LineSplitter::kMaxLine is rejected as oversized. For the plain format
// an address and its line's end are found in one pass, without memchr and
// without the per-line parser call.

#include "daemon/input/lines/line_pump.hpp"

namespace asncounter {

/// Parses every line that starts in [begin, own_end); a line may run on to
/// `data_end`. A line with no newline before `data_end` is the input's
/// unterminated last line when `at_eof`, else one longer than the limit
/// (callers read at least kMaxLine + 1 bytes past `own_end`).
void parse_lines(const char* begin, const char* own_end, const char* data_end, bool at_eof, LinePump& pump);

}  // namespace asncounter
