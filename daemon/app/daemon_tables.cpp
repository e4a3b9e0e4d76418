#include <spdlog/spdlog.h>

#include <filesystem>
#include <string>
#include <vector>

#include "common/table/table_cache.hpp"
#include "common/table/table_file.hpp"
#include "daemon/app/daemon_impl.hpp"
#include "daemon/config/table_choice.hpp"
#include "daemon/refresh/routeviews_source.hpp"
#include "daemon/sys/log.hpp"
#include "daemon/sys/private_dir.hpp"
#include "daemon/sys/systemd_notify.hpp"

namespace asncounter::detail {
namespace {

RouteViewsConfig route_views_config(const Options& o) {
  RouteViewsConfig c;
  c.rib_url = o.rib_url;
  c.asnames_url = o.asnames_url;
  c.cache_dir = o.cache_dir;
  c.table_limits = table_limits(o);
  return c;
}

}  // namespace

// A refresh, whatever the source, happens on the refresher's thread and is
// swapped in when ready; the answer only says it is queued.
Result<void> Daemon::refresh() {
  if (!tables_) return Error{"no --db table to refresh from"};
  tables_->trigger();
  return {};
}

TableRefresher::CurrentTable Daemon::current_table() {
  return [this] { return store_->table(); };
}

TableRefresher::PublishTable Daemon::publish_table() {
  return [this](std::shared_ptr<const LpmTable> t) {
    systemd::status(table_status(*t));
    store_->set_table(t);
    // The same table object: the inputs' stores take the main store's lookups.
    for (auto& s : input_stores_)
      if (s) s->set_table(t);
  };
}

std::string Daemon::table_status(const LpmTable& table) {
  return "table: " + std::to_string(table.prefix_count()) + " prefixes";
}

// With downloads: the RouteViews mirror, starting with the newest cached dump
// at once (when no --db); with no table at all everything counts as unrouted
// until the first download lands (stats says so: an "empty" table). Without:
// the --db file, read again at each refresh.
Result<void> Daemon::make_table_source(std::shared_ptr<const LpmTable>& table) {
  const FirstTable first = first_table(options_);
  if (first.from == FirstTable::From::db) {
    auto loaded = load_table_cached(first.path, options_.cache_dir, nullptr, table_limits(options_));
    if (!loaded) return Error{loaded.error()};
    if (!loaded->note.empty()) log::get("rib")->warn("{}", loaded->note);
    table = loaded->table;
    log::get("daemon")->info("table {} {}: {} prefixes", options_.db,
                             loaded->from_cache ? "mapped from the table cache" : "loaded",
                             table->prefix_count());
  }
  auto current = current_table();
  auto publish = publish_table();
  if (!downloads_tables(options_)) {
    if (first.from != FirstTable::From::db) return {};
    auto source = std::make_unique<FileSource>(options_.db, table_limits(options_), options_.cache_dir);
    db_source_ = source.get();
    tables_ = std::make_unique<TableRefresher>(std::move(source), RefreshSettings{}, current, publish);
    return {};
  }
  auto logger = log::get("rib");
  if (auto dir = prepare_private_dir(options_.cache_dir, "cache directory"); !dir) return Error{dir.error()};
  if (options_.asnames.empty()) {  // the names the last download left, until the next one
    auto cached_names = std::filesystem::path(options_.cache_dir) / "asnames";
    std::error_code ec;
    if (std::filesystem::is_regular_file(cached_names, ec)) {
      auto names = AsNames::load_shared(cached_names.string());
      if (names)
        names_ = *names;
      else
        logger->warn("cached AS names unusable: {}", names.error());
    }
  }
  if (first.from == FirstTable::From::cache) {
    auto loaded = load_table_cached(first.path, options_.cache_dir, nullptr, table_limits(options_));
    if (loaded) {
      if (!loaded->note.empty()) logger->warn("{}", loaded->note);
      table = loaded->table;
      logger->info("cached table {} {}: {} prefixes", first.path, loaded->from_cache ? "mapped" : "loaded",
                   table->prefix_count());
    } else {
      logger->error("cached table unusable, waiting for a download: {}", loaded.error());
    }
  } else if (first.from == FirstTable::From::none) {
    logger->warn("no table yet: counting everything as unrouted until the first download");
  }
  auto source = std::make_unique<RouteViewsSource>(route_views_config(options_),
                                                   [this](std::shared_ptr<const AsNames> n) {
                                                     std::lock_guard lock(names_mutex_);
                                                     names_ = std::move(n);
                                                   });
  RefreshSettings settings;
  settings.interval = std::chrono::seconds(options_.refresh_interval);
  settings.min_first_prefixes = options_.rib_min_prefixes;
  tables_ = std::make_unique<TableRefresher>(std::move(source), settings, current, publish);
  return {};
}

}  // namespace asncounter::detail
