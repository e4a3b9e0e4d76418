#include <spdlog/spdlog.h>

#include <filesystem>
#include <string>
#include <vector>

#include "common/table/table_cache.hpp"
#include "common/table/table_file.hpp"
#include "daemon/config_check.hpp"
#include "daemon/daemon_impl.hpp"
#include "daemon/log.hpp"
#include "daemon/private_dir.hpp"
#include "daemon/refresh/routeviews_source.hpp"
#include "daemon/systemd_notify.hpp"

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

// Downloads need a --rib-url, and with --db only one given explicitly: the
// default mirror URL never overrides a table the operator named.
bool downloads_tables(const Options& o) { return !o.rib_url.empty() && (o.rib_url_given || o.db.empty()); }

}  // namespace

Result<Reloadable> Daemon::prepare_reload() const {
  std::vector<const char*> argv;
  for (const auto& a : args_) argv.push_back(a.c_str());
  auto parsed = reload_options(options_, static_cast<int>(argv.size()), argv.data());
  if (!parsed) return Error{parsed.error()};
  auto policy = rpc::AdminPolicy::make(parsed->admin_group);
  if (!policy) return Error{policy.error()};
  auto names = parsed->asnames == options_.asnames ? Result<std::shared_ptr<const AsNames>>(this->names())
                                                   : AsNames::load_shared(parsed->asnames);
  if (!names) return Error{names.error()};
  return Reloadable{std::move(*parsed), std::move(*policy), std::move(*names)};
}

// Knot's discipline: parse into a new config, validate, then swap; on any
// failure the old configuration stays whole.
Result<std::vector<std::string>> Daemon::reload() {
  auto logger = log::get("daemon");
  systemd::reloading();
  auto next = prepare_reload();
  if (next && next->options.db != options_.db && !next->options.db.empty()) {
    auto switched = switch_db(next->options.db);
    if (!switched) next = Error{"the new db is refused: " + switched.error()};
  } else if (next && !next->options.db.empty()) {
    // The same db, perhaps replaced in place: a reload says now what the
    // next refresh or start would refuse (quickly: the table is not built).
    if (auto why = check_table_file(next->options.db, table_limits(next->options)); !why.empty())
      next = Error{"db: " + why};
  }
  systemd::ready();
  if (!next) {
    ++counters_.reloads_failed;
    counters_.last_reload_error = next.error();
    logger->error("reload failed, keeping the old configuration: {}", next.error());
    return Error{next.error()};
  }
  auto restart = apply_reload(options_, next->options);
  for (const std::string& key : restart) logger->warn("{}: needs a restart (the old value stays)", key);
  log::set_level(options_.log_level);
  dispatcher_->set_policy(std::move(next->policy));
  server_->set_limits(limits_of(options_));
  dispatcher_->set_caps(caps_of(options_));
  {
    std::lock_guard lock(names_mutex_);
    names_ = std::move(next->names);
  }
  ++counters_.reloads_ok;
  counters_.last_reload_error.clear();
  logger->info("configuration reloaded");
  return restart;
}

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
    store_->set_table(std::move(t));
  };
}

std::string Daemon::table_status(const LpmTable& table) {
  return "table: " + std::to_string(table.prefix_count()) + " prefixes";
}

// A reload named a new --db: it is read and checked like any refresh before
// the reload answers, and the file source reads it from then on (with
// downloads on, the mirror stays the source and refreshes now).
Result<void> Daemon::switch_db(const std::string& path) {
  if (!tables_) {
    auto refresher = std::make_unique<TableRefresher>(
        std::make_unique<FileSource>(path, table_limits(options_), options_.cache_dir), RefreshSettings{},
        current_table(), publish_table());
    auto loaded = refresher->refresh_once();
    if (!loaded) return Error{loaded.error()};
    tables_ = std::move(refresher);
    db_source_ = static_cast<FileSource*>(&tables_->source());
    tables_->start();
    return {};
  }
  FileSource next(path, table_limits(options_), options_.cache_dir);
  auto loaded = tables_->refresh_from(next);
  if (!loaded) return Error{loaded.error()};
  if (db_source_)
    db_source_->set_path(path);
  else
    tables_->trigger();
  return {};
}

// With downloads: the RouteViews mirror, starting with the newest cached dump
// at once (when no --db); with no table at all everything counts as unrouted
// until the first download lands (stats says so: an "empty" table). Without:
// the --db file, read again at each refresh.
Result<void> Daemon::make_table_source(std::shared_ptr<const LpmTable>& table) {
  if (!options_.db.empty()) {
    auto loaded = load_table_cached(options_.db, options_.cache_dir, nullptr, table_limits(options_));
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
    if (options_.db.empty()) return {};
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
  if (options_.db.empty()) {
    if (auto cached = RouteViewsSource::newest_cached(options_.cache_dir)) {
      auto loaded = load_table_cached(*cached, options_.cache_dir, nullptr, table_limits(options_));
      if (loaded) {
        if (!loaded->note.empty()) logger->warn("{}", loaded->note);
        table = loaded->table;
        logger->info("cached table {} {}: {} prefixes", *cached, loaded->from_cache ? "mapped" : "loaded",
                     table->prefix_count());
      } else {
        logger->error("cached table unusable, waiting for a download: {}", loaded.error());
      }
    } else {
      logger->warn("no table yet: counting everything as unrouted until the first download");
    }
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
