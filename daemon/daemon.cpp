#include "daemon/daemon.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/report.hpp"
#include "common/table/table_file.hpp"
#include "daemon/asio.hpp"
#include "daemon/log.hpp"
#include "daemon/metrics/metrics_collector.hpp"
#include "daemon/options.hpp"
#include "daemon/refresh/rib_refresher.hpp"
#include "daemon/rpc/handlers.hpp"
#include "daemon/rpc/server.hpp"
#include "daemon/store/counter_store.hpp"
#include "daemon/store/state_file.hpp"
#include "daemon/systemd_notify.hpp"

namespace asncounter {
namespace {

using rpc::ErrorCode;
using rpc::Reply;

// /proc/self/cmdline, for a reload when main() did not hand argv over.
std::vector<std::string> own_command_line() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> args;
  std::string::size_type start = 0;
  for (auto end = all.find('\0'); end != std::string::npos; end = all.find('\0', start)) {
    args.push_back(all.substr(start, end - start));
    start = end + 1;
  }
  if (args.empty()) args.emplace_back("asncounterd");
  return args;
}

std::int64_t unix_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

rpc::ServerLimits limits_of(const Options& o) {
  return rpc::ServerLimits{o.max_clients, std::chrono::seconds(o.client_timeout)};
}

Result<std::shared_ptr<const AsNames>> load_names(const std::string& path) {
  if (path.empty()) return std::shared_ptr<const AsNames>();
  auto names = AsNames::load(path);
  if (!names) return Error{names.error()};
  return std::shared_ptr<const AsNames>(std::make_shared<AsNames>(std::move(*names)));
}

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

// The parts a reload may replace, validated before anything is swapped.
struct Reloadable {
  Options options;
  rpc::AdminPolicy policy;
  std::shared_ptr<const AsNames> names;
};

class Daemon {
 public:
  Daemon(Options options, std::vector<std::string> args)
      : options_(std::move(options)), args_(std::move(args)), signals_(io_, SIGTERM, SIGINT, SIGHUP) {
    signals_.add(SIGUSR1);
  }
  ~Daemon() { shutdown(); }

  int run();

 private:
  Result<bool> start();
  void wait_signal();
  void on_signal(int signo);
  Result<Reloadable> prepare_reload() const;
  Reply reload();
  Reply refresh();
  void refresh_done(const Result<std::shared_ptr<const LpmTable>>& table);
  void log_report() const;
  rpc::DaemonStatus status() const;
  std::vector<std::pair<std::string, InputCounters>> input_counters() const;
  std::shared_ptr<const AsNames> names() const {
    std::lock_guard lock(names_mutex_);
    return names_;
  }
  Result<bool> start_refresher(std::shared_ptr<const LpmTable>& table);
  Result<bool> start_metrics();
  MetricsSnapshot metrics_snapshot();
  void restore_counts();
  void save_counts() const;
  void schedule_save();
  void schedule_watchdog(std::chrono::microseconds period);
  void shutdown();

  Options options_;
  std::vector<std::string> args_;
  asio::io_context io_;
  asio::signal_set signals_;
  asio::steady_timer save_timer_{io_};
  asio::steady_timer watchdog_timer_{io_};
  std::unique_ptr<CounterStore> store_;
  mutable std::mutex names_mutex_;
  std::shared_ptr<const AsNames> names_;
  std::vector<std::unique_ptr<Input>> inputs_;
  rpc::HandlerContext context_;
  std::unique_ptr<rpc::Dispatcher> dispatcher_;
  std::unique_ptr<rpc::Server> server_;
  std::thread refresh_thread_;
  std::unique_ptr<RibRefresher> refresher_;  // RouteViews downloads, when enabled
  std::unique_ptr<MetricsExporter> metrics_;
  bool refreshing_ = false;  // io thread only
  rpc::DaemonStatus counters_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  bool stopped_ = false;
  bool serving_ = false;  // counts are saved at stop only once the daemon ran
};

Result<bool> Daemon::start() {
  auto logger = log::get("daemon");
  std::shared_ptr<const LpmTable> table = LpmTable::empty();
  if (!options_.db.empty()) {
    auto loaded = load_table(options_.db);
    if (!loaded) return Error{loaded.error()};
    table = *loaded;
    logger->info("table {} loaded: {} prefixes", options_.db, table->prefix_count());
  }
  auto refresher = start_refresher(table);
  if (!refresher) return Error{refresher.error()};
  auto loaded_names = load_names(options_.asnames);
  if (!loaded_names) return Error{loaded_names.error()};
  names_ = *loaded_names;
  auto policy = rpc::AdminPolicy::make(options_.admin_group);
  if (!policy) return Error{policy.error()};
  store_ = std::make_unique<CounterStore>(table, options_.shards);
  restore_counts();

  context_.store = store_.get();
  context_.names = [this] { return this->names(); };
  context_.inputs = [this] { return input_counters(); };
  context_.status = [this] { return status(); };
  context_.refresh = [this] { return refresh(); };
  context_.reload = [this] { return reload(); };
  dispatcher_ = std::make_unique<rpc::Dispatcher>(rpc::make_handlers(context_), std::move(*policy));
  auto server =
      rpc::Server::open(io_, options_.socket, options_.socket_group, *dispatcher_, limits_of(options_));
  if (!server) return Error{server.error()};
  server_ = std::move(*server);

  InputOptions input_options{options_.input_format, options_.filter, options_.direction, false};
  for (const auto& spec : options_.inputs) {
    auto input = make_input(spec, input_options);
    if (!input) return Error{input.error()};
    inputs_.push_back(std::move(*input));
  }
  for (auto& input : inputs_) input->start([store = store_.get()](const EventBatch& b) { store->add(b); });
  server_->start();
  auto metrics = start_metrics();
  if (!metrics) return Error{metrics.error()};
  if (refresher_) refresher_->start();
  counters_.started_at = unix_now();
  logger->info("listening on {} with {} inputs", options_.socket, inputs_.size());
  return true;
}

int Daemon::run() {
  auto started = start();
  if (!started) {
    log::get("daemon")->error("cannot start: {}", started.error());
    return 1;
  }
  serving_ = true;
  wait_signal();
  schedule_save();
  if (auto period = systemd::watchdog_period()) schedule_watchdog(*period);
  systemd::ready();
  io_.run();
  systemd::stopping();
  shutdown();
  return 0;
}

void Daemon::wait_signal() {
  signals_.async_wait([this](boost::system::error_code ec, int signo) {
    if (ec) return;
    on_signal(signo);
  });
}

// Signals arrive here as ordinary events on the io thread (asio::signal_set):
// no work happens in a signal handler.
void Daemon::on_signal(int signo) {
  auto logger = log::get("daemon");
  if (signo == SIGTERM || signo == SIGINT) {
    logger->info("signal {}: stopping", signo);
    server_->stop();
    io_.stop();
    return;
  }
  if (signo == SIGHUP) {
    logger->info("SIGHUP: reloading the configuration");
    reload();
  } else if (signo == SIGUSR1) {
    log_report();
  }
  wait_signal();
}

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

void Daemon::log_report() const {
  auto logger = log::get("store");
  auto n = names();
  std::string report = format_report(make_asn_report(store_->top_asns(options_.top), n.get()),
                                     make_prefix_report(store_->top_prefixes(options_.top), n.get()));
  std::string_view rest = report;
  while (!rest.empty()) {
    auto nl = rest.find('\n');
    logger->info("report: {}", rest.substr(0, nl));
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
  }
}

rpc::DaemonStatus Daemon::status() const {
  rpc::DaemonStatus s = counters_;
  s.uptime_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_).count();
  s.clients = server_->clients();
  s.refused_clients = server_->refused();
  s.requests = dispatcher_->counters();
  if (refresher_) {
    auto r = refresher_->status();
    s.refreshes_ok = r.successes;
    s.refreshes_failed = r.failures;
    s.last_refresh = r.last_outcome;
  }
  if (s.last_refresh.empty()) s.last_refresh = refreshing_ ? "running" : "never";
  return s;
}

std::vector<std::pair<std::string, InputCounters>> Daemon::input_counters() const {
  std::vector<std::pair<std::string, InputCounters>> out;
  for (const auto& input : inputs_) out.emplace_back(input->spec(), input->counters());
  return out;
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

Result<bool> Daemon::start_metrics() {
  if (options_.metrics_listen.empty()) return true;
  auto exporter = MetricsExporter::start(options_.metrics_listen, [this] { return metrics_snapshot(); });
  if (!exporter) return Error{exporter.error()};
  metrics_ = std::move(*exporter);
  log::get("daemon")->info("metrics on http://{}/metrics", options_.metrics_listen);
  return true;
}

// Called on the exporter's thread at scrape time. The RPC and reload
// counters belong to the io thread, so the snapshot is taken there.
MetricsSnapshot Daemon::metrics_snapshot() {
  auto task = std::make_shared<std::packaged_task<MetricsSnapshot()>>([this] {
    MetricsSnapshot m;
    auto n = names();
    m.top_asns = store_->top_asns(options_.metrics_top_asns);
    for (const auto& row : m.top_asns.rows) {
      auto name = n && row.asn ? n->name(*row.asn) : std::nullopt;
      m.top_asn_names.emplace_back(name ? std::string(*name) : std::string());
    }
    m.inputs = input_counters();
    auto table = store_->table();
    m.table_v4_prefixes = table->v4_prefix_count();
    m.table_v6_prefixes = table->v6_prefix_count();
    m.table_dump_time = table->info().dump_time;
    auto s = status();
    m.refresh_successes = s.refreshes_ok;
    m.refresh_failures = s.refreshes_failed;
    if (refresher_) m.refresh_last_success = refresher_->status().last_success;
    m.rpc_requests = s.requests.by_method;
    m.start_time = s.started_at;
    m.now = unix_now();
    return m;
  });
  auto answer = task->get_future();
  asio::post(io_, [task] { (*task)(); });
  if (answer.wait_for(std::chrono::seconds(5)) != std::future_status::ready) return MetricsSnapshot{};
  return answer.get();
}

// A damaged state file costs its counts, never the start (DESIGN.md).
void Daemon::restore_counts() {
  auto logger = log::get("store");
  std::error_code ec;
  std::filesystem::create_directories(options_.state_dir, ec);
  auto rows = load_state(options_.state_dir);
  if (!rows) {
    logger->error("state file damaged, set aside as {}: {}", set_aside(options_.state_dir), rows.error());
    return;
  }
  store_->import_rows(*rows);
  if (!rows->empty()) logger->info("restored {} rows from {}", rows->size(), state_path(options_.state_dir));
}

void Daemon::save_counts() const {
  auto saved = save_state(options_.state_dir, store_->export_rows());
  if (!saved) log::get("store")->error("cannot save the counts: {}", saved.error());
}

void Daemon::schedule_save() {
  if (options_.save_interval == 0) return;
  save_timer_.expires_after(std::chrono::seconds(options_.save_interval));
  save_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    save_counts();
    schedule_save();
  });
}

void Daemon::schedule_watchdog(std::chrono::microseconds period) {
  watchdog_timer_.expires_after(period);
  watchdog_timer_.async_wait([this, period](boost::system::error_code ec) {
    if (ec) return;
    systemd::watchdog();
    schedule_watchdog(period);
  });
}

void Daemon::shutdown() {
  if (stopped_) return;
  stopped_ = true;
  metrics_.reset();
  if (refresher_) refresher_->stop();
  if (server_) server_->stop();
  // Inputs flush their partial batch into the store as they stop.
  for (auto& input : inputs_) input->stop();
  if (refresh_thread_.joinable()) refresh_thread_.join();
  server_.reset();
  if (serving_) save_counts();
}

}  // namespace

int run_daemon(const Options& options, int argc, const char* const* argv) {
  log::setup(options.log_level);
  std::vector<std::string> args(argv, argv + argc);
  Daemon daemon(options, std::move(args));
  return daemon.run();
}

int run_daemon(const Options& options) {
  log::setup(options.log_level);
  Daemon daemon(options, own_command_line());
  return daemon.run();
}

}  // namespace asncounter
