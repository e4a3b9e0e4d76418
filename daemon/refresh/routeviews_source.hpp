#pragma once
// The table source of a RouteViews mirror: finds the newest RIB dump in the
// archive, downloads it into the cache and builds its table; refreshes the
// AS names alongside. The cache never keeps a dump that was refused.

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/table/as_names.hpp"
#include "common/table/table_limits.hpp"
#include "daemon/refresh/http_fetch.hpp"
#include "daemon/refresh/table_source.hpp"

namespace asncounter {

struct RouteViewsConfig {
  std::string rib_url;      ///< archive base
  std::string asnames_url;  ///< asnames.json or autnums.html; empty: none
  std::string cache_dir;
  FetchLimits limits;
  TableLimits table_limits;           ///< decompressed bytes and prefixes of a dump at most
  std::function<std::int64_t()> now;  ///< Unix seconds; the clock by default (tests set it)
};

class RouteViewsSource final : public TableSource {
 public:
  using PublishNames = std::function<void(std::shared_ptr<const AsNames>)>;

  RouteViewsSource(RouteViewsConfig config, PublishNames names);
  Result<TableUpdate> fetch(const LpmTable& current, const std::atomic<bool>& stop) override;
  void judged(const TableUpdate& update, bool accepted) override;

  /// The newest rib.*.bz2 in `cache_dir`, to load at start before any download.
  static std::optional<std::string> newest_cached(const std::string& cache_dir);

 private:
  Result<TableUpdate> fetch_rib(const LpmTable& current, const FetchLimits& limits);
  Result<std::string> refresh_names(const FetchLimits& limits);

  RouteViewsConfig config_;
  PublishNames publish_names_;
};

}  // namespace asncounter
