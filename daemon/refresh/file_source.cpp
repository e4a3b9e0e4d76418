#include "daemon/refresh/file_source.hpp"

#include "common/table/table_file.hpp"

namespace asncounter {

Result<TableUpdate> FileSource::fetch(const LpmTable& current, const std::atomic<bool>& stop) {
  static_cast<void>(current);  // a file is read again even when unchanged: it may have been rewritten
  std::string file = path();
  auto table = load_table(file, &stop, limits_);
  if (!table) return Error{table.error()};
  return TableUpdate{std::move(*table), file};
}

void FileSource::set_path(std::string path) {
  std::lock_guard lock(mutex_);
  path_ = std::move(path);
}

std::string FileSource::path() const {
  std::lock_guard lock(mutex_);
  return path_;
}

}  // namespace asncounter
