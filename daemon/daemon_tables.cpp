#include <spdlog/spdlog.h>

#include <filesystem>
#include <string>
#include <vector>

#include "common/table/table_file.hpp"
#include "daemon/daemon_impl.hpp"
#include "daemon/log.hpp"
#include "daemon/systemd_notify.hpp"

namespace asncounter::detail {
namespace {

RefreshConfig refresh_config(const Options& o) {
  RefreshConfig c;
  c.rib_url = o.rib_url;
  c.asnames_url = o.asnames_url;
  c.cache_dir = o.cache_dir;
  c.interval = std::chrono::seconds(o.refresh_interval);
  return c;
}

// DESIGN.md: with --db and no explicit --rib-url, nothing is downloaded.
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
                                                   : load_names(parsed->asnames);
  if (!names) return Error{names.error()};
  return Reloadable{std::move(*parsed), std::move(*policy), std::move(*names)};
}

// Knot's discipline: parse into a new config, validate, then swap; on any
// failure the old configuration stays whole.
Result<bool> Daemon::reload() {
  auto logger = log::get("daemon");
  systemd::reloading();
  auto next = prepare_reload();
  systemd::ready();
  if (!next) {
    ++counters_.reloads_failed;
    counters_.last_reload_error = next.error();
    logger->error("reload failed, keeping the old configuration: {}", next.error());
    return Error{next.error()};
  }
  bool new_db = next->options.db != options_.db;
  for (const std::string& key : apply_reload(options_, next->options))
    logger->warn("{}: needs a restart", key);
  log::set_level(options_.log_level);
  dispatcher_->set_policy(std::move(next->policy));
  server_->set_limits(limits_of(options_));
  {
    std::lock_guard lock(names_mutex_);
    names_ = std::move(next->names);
  }
  ++counters_.reloads_ok;
  counters_.last_reload_error.clear();
  logger->info("configuration reloaded");
  if (new_db && !options_.db.empty()) refresh();
  return true;
}

// Downloads enabled: the RIB refresher fetches now. Otherwise a refresh
// re-reads --db from disk, built off the io thread and swapped in when ready.
Result<bool> Daemon::refresh() {
  if (refresher_) {
    refresher_->trigger();
    return true;
  }
  if (options_.db.empty()) return Error{"no --db table to refresh from"};
  if (refreshing_) return Error{"a refresh is already under way"};
  refreshing_ = true;
  if (refresh_thread_.joinable()) refresh_thread_.join();
  refresh_thread_ = std::thread([this, path = options_.db] {
    auto table = load_table(path);
    asio::post(io_, [this, table = std::move(table)] { refresh_done(table); });
  });
  return true;
}

void Daemon::refresh_done(const Result<std::shared_ptr<const LpmTable>>& table) {
  refreshing_ = false;
  auto logger = log::get("rib");
  if (!table) {
    ++counters_.refreshes_failed;
    counters_.last_refresh = "failed: " + table.error();
    logger->error("refresh failed, keeping the current table: {}", table.error());
    return;
  }
  store_->set_table(*table);
  ++counters_.refreshes_ok;
  counters_.last_refresh = "loaded " + (*table)->info().source;
  logger->info("table {} loaded: {} prefixes", (*table)->info().source, (*table)->prefix_count());
}

// Starts with the newest cached dump at once (when no --db) and refreshes in
// the background; with no table at all everything counts as unrouted until
// the first download lands (stats says so: an "empty" table).
Result<bool> Daemon::start_refresher(std::shared_ptr<const LpmTable>& table) {
  if (!downloads_tables(options_)) return true;
  auto logger = log::get("rib");
  std::error_code ec;
  std::filesystem::create_directories(options_.cache_dir, ec);
  if (ec) return Error{"cannot create the cache directory " + options_.cache_dir + ": " + ec.message()};
  if (options_.db.empty()) {
    if (auto cached = RibRefresher::newest_cached(options_.cache_dir)) {
      auto loaded = load_table(*cached);
      if (loaded) {
        table = *loaded;
        logger->info("cached table {} loaded: {} prefixes", *cached, table->prefix_count());
      } else {
        logger->error("cached table unusable, waiting for a download: {}", loaded.error());
      }
    } else {
      logger->warn("no table yet: counting everything as unrouted until the first download");
    }
  }
  refresher_ = std::make_unique<RibRefresher>(
      refresh_config(options_), [this] { return store_->table(); },
      [this](std::shared_ptr<const LpmTable> t) { store_->set_table(std::move(t)); },
      [this](std::shared_ptr<const AsNames> n) {
        std::lock_guard lock(names_mutex_);
        names_ = std::move(n);
      });
  return true;
}

}  // namespace asncounter::detail
