#pragma once
// Internal to the daemon: the object that owns the io_context and every part.
// Its members live in four files: daemon.cpp (start, run, signals, stop),
// daemon_reload.cpp (reload), daemon_tables.cpp (the table source and its
// refresher) and daemon_reporting.cpp (status, metrics, the saved counts,
// the watchdog).

#include <atomic>
#include <chrono>
#include <csignal>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/result.hpp"
#include "common/table/as_names.hpp"
#include "common/table/lpm_table.hpp"
#include "daemon/config/options.hpp"
#include "daemon/input/input.hpp"
#include "daemon/metrics/metrics_collector.hpp"
#include "daemon/mitigate/mitigation.hpp"
#include "daemon/refresh/file_source.hpp"
#include "daemon/refresh/table_refresher.hpp"
#include "daemon/rpc/daemon_control.hpp"
#include "daemon/rpc/daemon_status.hpp"
#include "daemon/rpc/dispatch.hpp"
#include "daemon/rpc/server.hpp"
#include "daemon/store/counter_store.hpp"
#include "daemon/store/history_clock.hpp"
#include "daemon/sys/asio.hpp"
#include "daemon/web/web_server.hpp"

namespace asncounter::detail {

std::int64_t unix_now();
rpc::ServerLimits limits_of(const Options& o);
rpc::AnswerCaps caps_of(const Options& o);
/// The history settings the options ask for.
HistoryConfig history_config(const Options& o);

// The parts a reload may replace, validated before anything is swapped.
struct Reloadable {
  Options options;
  rpc::AdminPolicy policy;
  std::shared_ptr<const AsNames> names;
};

// The RPC handlers see it only through rpc::DaemonControl.
class Daemon final : private rpc::DaemonControl {
 public:
  Daemon(Options options, std::vector<std::string> args)
      : options_(std::move(options)), args_(std::move(args)), signals_(io_, SIGTERM, SIGINT, SIGHUP) {
    signals_.add(SIGUSR1);
  }
  ~Daemon() override { shutdown(); }

  int run();

 private:
  Result<void> start();
  void wait_signal();
  void on_signal(int signo);
  class Reload;  // daemon_reload.cpp
  Result<std::shared_ptr<rpc::ReloadJob>> begin_reload() override;
  void reload_on_signal();
  Result<void> refresh() override;
  void log_report() const;
  DaemonStatus status() const override;
  std::vector<std::pair<std::string, InputCounters>> input_counters() const override;
  CounterStore& store() override { return *store_; }
  mitigate::Mitigation* mitigation() override { return mitigation_.get(); }
  Result<CounterStore*> input_store(std::string_view name) override;
  std::vector<std::pair<std::string, std::string>> mixed_units() const override;
  void reset_inputs(bool keep_history) override;
  std::shared_ptr<const AsNames> names() const override {
    std::lock_guard lock(names_mutex_);
    return names_;
  }
  Result<void> make_table_source(std::shared_ptr<const LpmTable>& table);
  /// What a TableRefresher reads the table lookups use now with.
  TableRefresher::CurrentTable current_table();
  /// What a TableRefresher hands a new table to: the store takes it, and
  /// systemd's STATUS= says so.
  TableRefresher::PublishTable publish_table();
  /// The STATUS= line for `table` ("table: N prefixes").
  static std::string table_status(const LpmTable& table);
  Result<void> start_metrics();
  std::optional<MetricsSnapshot> metrics_snapshot();
  /// A read method for the web API, prepared on the loop (rpc::Dispatcher::prepare).
  std::optional<rpc::Reply> web_prepare(rpc::MethodId method, const rpc::Params& params);
  Result<void> restore_counts();
  void save_counts() const;
  void save_counts_in_background();
  void schedule_save();
  void schedule_watchdog(std::chrono::microseconds period);
  void shutdown();

  Options options_;
  std::vector<std::string> args_;
  asio::io_context io_;
  asio::signal_set signals_;
  asio::steady_timer save_timer_{io_};
  asio::steady_timer watchdog_timer_{io_};
  // Periodic saves are written here, off the event loop (the snapshot is
  // taken on it, under the store's lock); one at a time.
  asio::thread_pool saver_{1};
  std::shared_ptr<std::atomic<bool>> saving_ = std::make_shared<std::atomic<bool>>(false);
  std::unique_ptr<CounterStore> store_;
  std::unique_ptr<mitigate::Mitigation> mitigation_;  // its rules run on the history clock's thread
  std::unique_ptr<HistoryClock> history_clock_;       // closes the store's steps
  mutable std::mutex names_mutex_;
  std::shared_ptr<const AsNames> names_;
  std::vector<std::unique_ptr<Input>> inputs_;
  std::vector<std::string> input_names_;  // one per input: NAME of NAME=SPEC, else the spec
  // Per-input counts: one store per input, fed each batch with the main
  // store's lookup (CounterStore::add's `also`); empty with a single input,
  // whose counts are the store's own; null past the first kInputStores.
  std::vector<std::unique_ptr<CounterStore>> input_stores_;
  static constexpr std::size_t kInputStores = 8;
  std::unique_ptr<rpc::Dispatcher> dispatcher_;
  std::unique_ptr<rpc::Server> server_;
  std::unique_ptr<TableRefresher> tables_;  // null: no table source (no --db, no downloads)
  FileSource* db_source_ = nullptr;         // the source of tables_ when it reads --db
  std::unique_ptr<web::WebServer> web_;     // /metrics, the page and /api/ on metrics-listen
  DaemonStatus counters_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::shared_ptr<std::atomic<bool>> reloading_ = std::make_shared<std::atomic<bool>>(false);
  // Set at SIGTERM: a reload reading a new db gives it up.
  std::shared_ptr<std::atomic<bool>> stopping_ = std::make_shared<std::atomic<bool>>(false);
  bool stopped_ = false;
  bool serving_ = false;  // counts are saved at stop only once the daemon ran
};

}  // namespace asncounter::detail
