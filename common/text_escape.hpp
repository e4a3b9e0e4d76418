#pragma once
// Text from outside (AS names) printed to a terminal or a TSV file: control
// characters escaped so that a name can neither drive the terminal (escape
// sequences) nor fake rows and columns (newlines, tabs). See docs/report.md.

#include <string>
#include <string_view>

namespace asncounter {

/// Appends `text` with `\\` doubled, `\t` `\n` `\r` as such, other C0 bytes and
/// DEL as `\xHH`, and C1 controls (UTF-8 U+0080..U+009F) as `\u00HH`.
void append_escaped(std::string& out, std::string_view text);

/// `text` escaped as append_escaped() does.
std::string escaped(std::string_view text);

}  // namespace asncounter
