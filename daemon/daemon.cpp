#include "daemon/daemon.hpp"

#include <spdlog/spdlog.h>

#include <csignal>
#include <ctime>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "common/table/table_file.hpp"
#include "daemon/daemon_impl.hpp"
#include "daemon/log.hpp"
#include "daemon/systemd_notify.hpp"

namespace asncounter::detail {

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

Result<bool> Daemon::start() {
  auto logger = log::get("daemon");
  std::shared_ptr<const LpmTable> table = LpmTable::empty();
  if (!options_.db.empty()) {
    auto loaded = load_table(options_.db);
    if (!loaded) return Error{loaded.error()};
    table = *loaded;
    logger->info("table {} loaded: {} prefixes", options_.db, table->prefix_count());
  }
  auto source = make_table_source(table);
  if (!source) return Error{source.error()};
  auto loaded_names = load_names(options_.asnames);
  if (!loaded_names) return Error{loaded_names.error()};
  names_ = *loaded_names;
  auto policy = rpc::AdminPolicy::make(options_.admin_group);
  if (!policy) return Error{policy.error()};
  store_ = std::make_unique<CounterStore>(table, options_.shards);
  if (auto restored = restore_counts(); !restored) return Error{restored.error()};

  rpc::DaemonControl& control = *this;
  dispatcher_ = std::make_unique<rpc::Dispatcher>(control, std::move(*policy));
  auto server =
      rpc::Server::open(io_, options_.socket, options_.socket_group, *dispatcher_, limits_of(options_));
  if (!server) return Error{server.error()};
  server_ = std::move(*server);

  InputOptions input_options;
  input_options.format = options_.input_format;
  input_options.bpf_filter = options_.filter;
  input_options.direction = std::string(name_of(options_.direction));
  input_options.flow_destination = options_.flow_address == FlowAddress::dst;
  input_options.flow_sampling = options_.flow_sampling;
  input_options.flow_exporters = options_.flow_exporters;
  input_options.flow_rcvbuf = options_.flow_rcvbuf;
  for (const auto& spec : options_.inputs) {
    auto input = make_input(spec, input_options);
    if (!input) return Error{input.error()};
    inputs_.push_back(std::move(*input));
  }
  for (auto& input : inputs_) input->start([store = store_.get()](const EventBatch& b) { store->add(b); });
  server_->start();
  auto metrics = start_metrics();
  if (!metrics) return Error{metrics.error()};
  if (tables_) tables_->start();
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

void Daemon::shutdown() {
  if (stopped_) return;
  stopped_ = true;
  metrics_.reset();
  if (server_) server_->stop();
  // Inputs flush their partial batch into the store as they stop.
  for (auto& input : inputs_) input->stop();
  server_.reset();
  // The counts first: a table source still at work must not cost them (it
  // gives up at once, but systemd's SIGKILL would come before a slow one).
  if (serving_) save_counts();
  if (tables_) tables_->stop();
}

}  // namespace asncounter::detail

namespace asncounter {
namespace {

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

}  // namespace

int run_daemon(const Options& options, int argc, const char* const* argv) {
  log::setup(options.log_level);
  std::vector<std::string> args(argv, argv + argc);
  detail::Daemon daemon(options, std::move(args));
  return daemon.run();
}

int run_daemon(const Options& options) {
  log::setup(options.log_level);
  detail::Daemon daemon(options, own_command_line());
  return daemon.run();
}

}  // namespace asncounter
