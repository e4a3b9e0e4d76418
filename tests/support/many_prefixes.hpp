#pragma once
// A large table on disk, for tests of refreshes, big answers and cut files.

#include <filesystem>
#include <optional>
#include <string>

namespace asncounter::test {

/// Writes an ipasn table of `count` distinct /24s (1.0.0.0/24, 1.0.1.0/24, ...,
/// ASNs 64496..64500 in turn) as PATH.new renamed to `path`, so a daemon never
/// reads it half-written. Returns one address in each /24, a line each (for a
/// FIFO); nullopt when the table could not be written.
std::optional<std::string> write_many_prefixes(const std::filesystem::path& path, int count);

}  // namespace asncounter::test
