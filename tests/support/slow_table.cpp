#include "tests/support/slow_table.hpp"

#include "tests/support/files.hpp"
#include "tests/tools/mrt_writer.hpp"

namespace asncounter::test {
namespace {

std::string bzip2_of(const std::string& text, const std::filesystem::path& scratch) {
  write_packed(scratch.string(), {reinterpret_cast<const unsigned char*>(text.data()), text.size()},
               Packing::bzip2);
  std::string packed = read_text(scratch);
  std::filesystem::remove(scratch);
  return packed;
}

}  // namespace

bool write_slow_table(const std::filesystem::path& path, const std::string& table_text, int streams) {
  const std::filesystem::path scratch = path.string() + ".part";
  std::string comment = "; " + std::string(60, 'x') + "\n";
  std::string pad;
  for (std::size_t i = 0; i < (16U << 20) / comment.size(); ++i) pad += comment;
  const std::string padding = bzip2_of(pad, scratch);
  std::string slow = bzip2_of(table_text, scratch);
  if (padding.empty() || slow.empty()) return false;
  slow.reserve(slow.size() + padding.size() * static_cast<std::size_t>(streams));
  for (int i = 0; i < streams; ++i) slow += padding;
  return write_text(path, slow);
}

}  // namespace asncounter::test
