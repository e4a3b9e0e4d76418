#include "daemon/refresh/file_source.hpp"

#include <spdlog/spdlog.h>

#include "common/table/table_cache.hpp"
#include "daemon/sys/log.hpp"

namespace asncounter {

Result<TableUpdate> FileSource::fetch(const LpmTable& current, const std::atomic<bool>& stop) {
  static_cast<void>(current);  // a file is read again even when unchanged: it may have been rewritten
  std::string file = path();
  auto table = load_table_cached(file, cache_dir_, &stop, limits_);
  if (!table) return Error{table.error()};
  if (!table->note.empty()) log::get("rib")->warn("{}", table->note);
  return TableUpdate{std::move(table->table), file};
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
