#pragma once
// A table that takes minutes to read from a file of a few MB: its real lines
// bzip2-packed, then bzip2 streams of comment lines repeated. Tests of what
// must not wait for a table being read (a stop, other clients) use it.

#include <filesystem>
#include <string>

namespace asncounter::test {

/// Writes `table_text` packed, then `streams` streams of 16 MiB of comments
/// each (2500: 40 GB to decompress), as PATH.new renamed to `path`.
/// False when a write failed.
bool write_slow_table(const std::filesystem::path& path, const std::string& table_text, int streams);

}  // namespace asncounter::test
