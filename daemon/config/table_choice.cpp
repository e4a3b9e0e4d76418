#include "daemon/config/table_choice.hpp"

#include <filesystem>

#include "daemon/refresh/routeviews_source.hpp"

namespace asncounter {

FirstTable first_table(const Options& o) {
  if (!o.db.empty()) return {FirstTable::From::db, o.db};
  std::error_code ec;
  if (std::filesystem::is_directory(o.cache_dir, ec))
    if (auto newest = RouteViewsSource::newest_cached(o.cache_dir)) return {FirstTable::From::cache, *newest};
  return {};
}

bool downloads_tables(const Options& o) { return !o.rib_url.empty() && (o.rib_url_given || o.db.empty()); }

}  // namespace asncounter
