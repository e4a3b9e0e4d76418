#include <spdlog/spdlog.h>

#include <filesystem>
#include <string>
#include <vector>

#include "common/table/table_file.hpp"
#include "daemon/daemon_impl.hpp"
#include "daemon/log.hpp"
#include "daemon/private_dir.hpp"
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

using rpc::ErrorCode;
using rpc::Reply;

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
Reply Daemon::reload() {
  auto logger = log::get("daemon");
  systemd::reloading();
  auto next = prepare_reload();
  systemd::ready();
  if (!next) {
    ++counters_.reloads_failed;
    counters_.last_reload_error = next.error();
    logger->error("reload failed, keeping the old configuration: {}", next.error());
    return Reply::failure(ErrorCode::reload_failed, next.error());
  }
  Options& o = next->options;
  if (o.inputs != options_.inputs || o.socket != options_.socket || o.shards != options_.shards ||
      o.state_dir != options_.state_dir || o.metrics_listen != options_.metrics_listen) {
    logger->warn("inputs, socket, shards, state_dir and metrics_listen change only at restart");
  }
  bool new_db = o.db != options_.db;
  options_.asnames = o.asnames;
  options_.admin_group = o.admin_group;
  options_.max_clients = o.max_clients;
  options_.client_timeout = o.client_timeout;
  options_.db = o.db;
  options_.log_level = o.log_level;
  spdlog::apply_all(
      [&](const std::shared_ptr<spdlog::logger>& l) { l->set_level(spdlog::level::from_str(o.log_level)); });
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
  return Reply::success(R"({"reloaded":true})");
}

// Downloads enabled: the RIB refresher fetches now. Otherwise a refresh
// re-reads --db from disk, built off the io thread and swapped in when ready.
Reply Daemon::refresh() {
  if (refresher_) {
    refresher_->trigger();
    return Reply::success(R"({"queued":true})");
  }
  if (options_.db.empty()) return Reply::failure(ErrorCode::unavailable, "no --db table to refresh from");
  if (refreshing_) return Reply::failure(ErrorCode::unavailable, "a refresh is already under way");
  refreshing_ = true;
  if (refresh_thread_.joinable()) refresh_thread_.join();
  refresh_thread_ = std::thread([this, path = options_.db] {
    auto table = load_table(path);
    asio::post(io_, [this, table = std::move(table)] { refresh_done(table); });
  });
  return Reply::success(R"({"queued":true})");
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
  if (auto dir = prepare_private_dir(options_.cache_dir, "cache directory"); !dir) return Error{dir.error()};
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
