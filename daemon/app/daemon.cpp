#include "daemon/app/daemon.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <ctime>
#include <string>
#include <vector>

#include "common/plural.hpp"
#include "common/table/table_file.hpp"
#include "daemon/app/daemon_impl.hpp"
#include "daemon/config/history_tiers.hpp"
#include "daemon/config/input_settings.hpp"
#include "daemon/config/mitigate_options.hpp"
#include "daemon/input/default_input.hpp"
#include "daemon/sys/log.hpp"
#include "daemon/sys/systemd_notify.hpp"

namespace asncounter::detail {

std::int64_t unix_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

rpc::ServerLimits limits_of(const Options& o) {
  return rpc::ServerLimits{o.max_clients, std::chrono::seconds(o.client_timeout), o.admin_slots,
                           o.max_clients_per_uid};
}

rpc::AnswerCaps caps_of(const Options& o) { return rpc::AnswerCaps{o.rpc_max_rows}; }

HistoryConfig history_config(const Options& o) {
  HistoryConfig h;
  h.step = std::chrono::seconds(o.history_step);
  h.span = std::chrono::seconds(o.history_span);
  h.max_bytes = o.history_memory;
  h.recent = std::chrono::seconds(o.history_recent);
  h.top_prefixes = o.history_top_prefixes;
  h.tiers.clear();
  if (auto tiers = parse_history_tiers(o.history_tiers))  // checked with the options
    for (const auto& [res, span] : *tiers)
      h.tiers.push_back({std::chrono::seconds(res), std::chrono::seconds(span)});
  // The metrics' window is kept summed, so a scrape does not add up its steps.
  std::chrono::seconds metrics(o.metrics_window);
  if (std::find(h.rolling.begin(), h.rolling.end(), metrics) == h.rolling.end()) h.rolling.push_back(metrics);
  return h;
}

Result<void> Daemon::start() {
  auto logger = log::get("daemon");
  std::shared_ptr<const LpmTable> table = LpmTable::empty();
  auto source = make_table_source(table);
  if (!source) return Error{source.error()};
  auto loaded_names = AsNames::load_shared(options_.asnames);
  if (!loaded_names) return Error{loaded_names.error()};
  if (!options_.asnames.empty()) names_ = *loaded_names;  // else: those cached beside the RIBs, if any
  auto policy = rpc::AdminPolicy::make(options_.admin_group);
  if (!policy) return Error{policy.error()};
  store_ = std::make_unique<CounterStore>(table, options_.shards, history_config(options_),
                                          std::chrono::steady_clock::now());
  if (auto restored = restore_counts(); !restored) return Error{restored.error()};
  const InputOptions input_options = input_settings(options_, false);
  // No --input: stdin when something is piped in (daemon/input/default_input.hpp).
  const StdinKind stdin_is = stdin_kind(0);
  const std::vector<std::string> specs = daemon_inputs(options_.inputs, stdin_is);
  if (options_.inputs.empty() && !specs.empty())
    logger->info("no input configured: reading stdin as {} lines", options_.input_format);
  if (auto warning = no_input_warning(specs, stdin_is); !warning.empty()) logger->warn("{}", warning);
  for (const auto& spec : specs) {
    auto input = make_input(spec, input_options);
    if (!input) return Error{input.error()};
    inputs_.push_back(std::move(*input));
  }
  input_names_ = options_.inputs.empty() ? specs : options_.input_names;
  // Several inputs: each also counts into a store of its own, so that their
  // counts can be told apart (top --input NAME). Not saved: they count since
  // the start, as the inputs' other counters.
  // Their windows share one more history-memory: a cap each of 1/N of it.
  if (inputs_.size() > 1) {
    HistoryConfig h = history_config(options_);
    h.max_bytes /= std::min(inputs_.size(), kInputStores);
    for (std::size_t i = 0; i < inputs_.size(); ++i)
      input_stores_.push_back(i < kInputStores
                                  ? std::make_unique<CounterStore>(store_->table(), options_.shards, h,
                                                                   std::chrono::steady_clock::now())
                                  : nullptr);
    if (inputs_.size() > kInputStores)
      logger->warn("{} inputs: the counts of the first {} are kept apart (top --input NAME), not the others'",
                   inputs_.size(), kInputStores);
  }
  auto mitigation_config = mitigate::mitigation_config(options_);
  if (!mitigation_config) return Error{mitigation_config.error()};
  auto mitigation = mitigate::Mitigation::start(std::move(*mitigation_config), *store_, unix_now());
  if (!mitigation) return Error{"mitigation: " + mitigation.error()};
  mitigation_ = std::move(*mitigation);
  history_clock_ = std::make_unique<HistoryClock>(
      *store_, std::chrono::seconds(options_.history_step),
      [this, m = mitigation_.get()](std::chrono::steady_clock::time_point now) {
        for (auto& s : input_stores_)
          if (s) s->close_step(now);  // made before the clock
        m->on_step(now, unix_now());
      });

  rpc::DaemonControl& control = *this;
  dispatcher_ = std::make_unique<rpc::Dispatcher>(control, std::move(*policy));
  dispatcher_->set_caps(caps_of(options_));
  auto server =
      rpc::Server::open(io_, options_.socket, options_.socket_group, *dispatcher_, limits_of(options_));
  if (!server) return Error{server.error()};
  server_ = std::move(*server);

  for (std::size_t i = 0; i < inputs_.size(); ++i) {
    CounterStore* own = input_stores_.empty() ? nullptr : input_stores_[i].get();
    inputs_[i]->start([store = store_.get(), own](const EventBatch& b) { store->add(b, own); });
  }
  server_->start();
  auto metrics = start_metrics();
  if (!metrics) return Error{metrics.error()};
  if (tables_) tables_->start();
  counters_.started_at = unix_now();
  logger->info("listening on {} with {}", options_.socket, count_of(inputs_.size(), "input"));
  return {};
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
  systemd::status(table_status(*store_->table()));
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
    *stopping_ = true;
    server_->stop();
    io_.stop();
    return;
  }
  if (signo == SIGHUP) {
    logger->info("SIGHUP: reloading the configuration");
    reload_on_signal();
  } else if (signo == SIGUSR1) {
    log_report();
  }
  wait_signal();
}

void Daemon::shutdown() {
  if (stopped_) return;
  stopped_ = true;
  *stopping_ = true;
  web_.reset();
  if (server_) server_->stop();
  // Inputs flush their partial batch into the store as they stop.
  for (auto& input : inputs_) input->stop();
  server_.reset();
  // The counts first: a table source still at work must not cost them (it
  // gives up at once, but systemd's SIGKILL would come before a slow one).
  history_clock_.reset();
  // The step in progress closes now, so a restart keeps it in the history.
  if (store_) store_->close_step(std::chrono::steady_clock::now());
  // A periodic save under way finishes first, so the last one written wins.
  saver_.join();
  if (serving_) save_counts();
  if (tables_) tables_->stop();
}

}  // namespace asncounter::detail

namespace asncounter {

int run_daemon(const Options& options, int argc, const char* const* argv) {
  log::setup(options.log_level);
  std::vector<std::string> args(argv, argv + argc);
  detail::Daemon daemon(options, std::move(args));
  return daemon.run();
}

}  // namespace asncounter
