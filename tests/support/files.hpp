#pragma once
// Whole files as strings, for tests that write inputs and read outputs.

#include <filesystem>
#include <string>

namespace asncounter::test {

/// The whole file at `path`; empty when it cannot be read.
std::string read_text(const std::filesystem::path& path);

/// Writes `text` to PATH.new, then renames it to `path`: a daemon watching the
/// file never reads it half-written. False when the write or rename failed.
bool write_text(const std::filesystem::path& path, const std::string& text);

}  // namespace asncounter::test
