#include "daemon/once/once_table.hpp"

#include <atomic>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>

#include "common/table/table_cache.hpp"
#include "daemon/config/options.hpp"
#include "daemon/config/table_choice.hpp"
#include "daemon/once/made_dir.hpp"
#include "daemon/refresh/routeviews_source.hpp"
#include "daemon/sys/private_dir.hpp"

namespace asncounter {
namespace fs = std::filesystem;
namespace {

/// The AS names of `path`, or none for an empty path.
Result<std::shared_ptr<const AsNames>> names_from(const std::string& path) {
  if (path.empty()) return std::shared_ptr<const AsNames>();
  auto names = AsNames::load(path);
  if (!names) return Error{names.error()};
  return std::shared_ptr<const AsNames>(std::make_shared<AsNames>(std::move(*names)));
}

/// --asnames when given, else the names a download left in cache-dir.
Result<std::shared_ptr<const AsNames>> cached_names(const Options& o) {
  if (!o.asnames.empty()) return names_from(o.asnames);
  std::error_code ec;
  fs::path cached = fs::path(o.cache_dir) / "asnames";
  return names_from(fs::is_regular_file(cached, ec) ? cached.string() : std::string());
}

Result<std::shared_ptr<const LpmTable>> load(const std::string& path, const Options& o, std::ostream& err) {
  auto loaded = load_table_cached(path, o.cache_dir, nullptr, table_limits(o));
  if (!loaded) return Error{loaded.error()};
  if (!loaded->note.empty()) err << "asncounterd: " << loaded->note << "\n";
  return loaded->table;
}

std::string how_to_get_a_table(const Options& o) {
  return "pass --db FILE (an MRT dump such as RouteViews' rib.*.bz2, or a pyasn ipasn file), or let it "
         "download the newest RouteViews RIB into a cache directory it can write: --cache-dir DIR (now " +
         o.cache_dir + ") with --rib-url BASE (default " + Options{}.rib_url + ")";
}

// The newest RIB of the mirror and its names, downloaded into cache-dir by
// the daemon's own source (the next runs find them there).
// The directory is made for the download and removed again when it fails
// (an offline run leaves no empty cache directory behind).
Result<OnceTable> download(const Options& o, std::ostream& err) {
  auto dir = MadeDir::make(o.cache_dir, "cache directory");
  if (!dir)
    return Error{"no table in " + o.cache_dir + " and none can be downloaded there (" + dir.error() +
                 "): " + how_to_get_a_table(o)};
  err << "asncounterd: no table in " << o.cache_dir << " yet: downloading the newest RIB from " << o.rib_url
      << (o.asnames_url.empty() ? "" : " and AS names from " + o.asnames_url)
      << " (later runs use the cache)\n";
  err.flush();
  RouteViewsConfig config;
  config.rib_url = o.rib_url;
  config.asnames_url = o.asnames.empty() ? o.asnames_url : std::string();
  config.cache_dir = o.cache_dir;
  config.table_limits = table_limits(o);
  std::shared_ptr<const AsNames> names;
  RouteViewsSource source(config, [&names](std::shared_ptr<const AsNames> n) { names = std::move(n); });
  std::atomic<bool> stop{false};
  auto update = source.fetch(*LpmTable::empty(), stop);
  if (!update || !update->table)
    return Error{"no table in " + o.cache_dir + " and the download failed (" +
                 (update ? std::string("nothing new") : update.error()) + "): " + how_to_get_a_table(o)};
  source.judged(*update, true);
  dir->keep();
  if (!o.asnames.empty()) {
    auto given = names_from(o.asnames);
    if (!given) return Error{given.error()};
    names = *given;
  }
  return OnceTable{update->table, names};
}

}  // namespace

Result<OnceTable> choose_once_table(const Options& o, std::ostream& err) {
  const FirstTable first = first_table(o);
  if (first.from == FirstTable::From::db) {
    // A --cache-dir given and missing is made for the table cache (the next
    // run maps it instead of parsing the dump), and removed if none was written.
    std::error_code missing;
    std::optional<MadeDir> made;
    if (o.cache_dir_given && !o.cache_dir.empty() && !fs::exists(o.cache_dir, missing)) {
      auto dir = MadeDir::make(o.cache_dir, "cache directory");
      if (dir)
        made.emplace(std::move(*dir));
      else
        err << "asncounterd: no table cache: " << dir.error() << "\n";
    }
    auto table = load(first.path, o, err);
    if (!table) return Error{table.error()};
    auto names = names_from(o.asnames);
    if (!names) return Error{names.error()};
    return OnceTable{*table, *names};
  }
  if (first.from == FirstTable::From::cache) {
    auto table = load(first.path, o, err);
    if (!table) return Error{table.error()};
    auto names = cached_names(o);
    if (!names) return Error{names.error()};
    return OnceTable{*table, *names};
  }
  if (o.rib_url.empty())
    return Error{"no table: none in " + o.cache_dir +
                 " and downloads are off (rib-url is empty): " + how_to_get_a_table(o)};
  return download(o, err);
}

}  // namespace asncounter
