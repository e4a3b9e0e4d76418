#pragma once
// The table source of --db: the file is read again at each refresh.

#include <mutex>
#include <string>

#include "common/table/table_limits.hpp"
#include "daemon/refresh/table_source.hpp"

namespace asncounter {

class FileSource final : public TableSource {
 public:
  /// `cache_dir`: where the table cache lives (common/table/table_cache.hpp); empty: none.
  explicit FileSource(std::string path, TableLimits limits = {}, std::string cache_dir = {})
      : path_(std::move(path)), limits_(limits), cache_dir_(std::move(cache_dir)) {}
  Result<TableUpdate> fetch(const LpmTable& current, const std::atomic<bool>& stop) override;
  /// The file the next refreshes read (a reload changed --db).
  void set_path(std::string path);
  std::string path() const;

 private:
  mutable std::mutex mutex_;
  std::string path_;
  TableLimits limits_;
  std::string cache_dir_;
};

}  // namespace asncounter
