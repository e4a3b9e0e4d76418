#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <future>
#include <string>
#include <string_view>
#include <vector>

#include "common/plural.hpp"
#include "common/report.hpp"
#include "daemon/app/daemon_impl.hpp"
#include "daemon/metrics/active_asns.hpp"
#include "daemon/store/history_file.hpp"
#include "daemon/store/state_file.hpp"
#include "daemon/sys/log.hpp"
#include "daemon/sys/private_dir.hpp"
#include "daemon/sys/systemd_notify.hpp"

namespace asncounter::detail {

namespace {

// Waits up to 5 s for a task posted to the loop, checking every 100 ms
// whether the daemon is stopping (the loop then runs no more tasks, and a
// web worker must not hold the stop for the rest of the 5 s).
template <class T>
bool wait_on_loop(std::future<T>& answer, const std::atomic<bool>& stopping) {
  for (int i = 0; i < 50; ++i) {
    if (answer.wait_for(std::chrono::milliseconds(100)) == std::future_status::ready) return true;
    if (stopping) return false;
  }
  return false;
}

}  // namespace

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

DaemonStatus Daemon::status() const {
  DaemonStatus s = counters_;
  s.uptime_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_).count();
  s.clients = server_->clients();
  s.refused_clients = server_->refused();
  s.requests = dispatcher_->counters();
  auto r = tables_ ? tables_->status() : RefreshStatus{};
  s.refreshes_ok = r.successes;
  s.refreshes_failed = r.failures;
  s.last_refresh = r.describe();
  return s;
}

std::vector<std::pair<std::string, InputCounters>> Daemon::input_counters() const {
  std::vector<std::pair<std::string, InputCounters>> out;
  for (std::size_t i = 0; i < inputs_.size(); ++i) {
    InputCounters c = inputs_[i]->counters();
    c.name = i < input_names_.size() ? input_names_[i] : inputs_[i]->spec();
    if (const CounterStore* own = input_stores_.empty() ? store_.get() : input_stores_[i].get())
      c.counted = own->stats().total;
    out.emplace_back(inputs_[i]->spec(), std::move(c));
  }
  return out;
}

Result<CounterStore*> Daemon::input_store(std::string_view name) {
  std::string names;
  for (std::size_t i = 0; i < input_names_.size(); ++i) {
    if (input_names_[i] != name) {
      names += (names.empty() ? "" : ", ") + input_names_[i];
      continue;
    }
    if (input_stores_.empty()) return store_.get();
    if (input_stores_[i]) return input_stores_[i].get();
    return Error{"the counts of input '" + std::string(name) +
                 "' are not kept apart (only those of the first " + std::to_string(kInputStores) +
                 " inputs are)"};
  }
  return Error{"no input is named '" + std::string(name) + "'; the inputs: " + names};
}

void Daemon::reset_inputs(bool keep_history) {
  for (auto& s : input_stores_) {
    if (!s) continue;
    if (keep_history)
      s->reset_keeping_history(std::chrono::steady_clock::now());
    else
      s->reset();
  }
}

// What one hit means per kind of input: a line, a captured packet, or a
// flow's packets (times its sampling rate).
std::vector<std::pair<std::string, std::string>> Daemon::mixed_units() const {
  std::vector<std::pair<std::string, std::string>> out;
  bool mixed = false;
  for (std::size_t i = 0; i < inputs_.size(); ++i) {
    const InputTraits t = input_traits(inputs_[i]->spec());
    std::string unit = t.flows ? "flow packets" : t.frames ? "packets" : "lines";
    mixed = mixed || (!out.empty() && out.front().second != unit);
    out.emplace_back(i < input_names_.size() ? input_names_[i] : inputs_[i]->spec(), std::move(unit));
  }
  return mixed ? out : std::vector<std::pair<std::string, std::string>>{};
}

Result<void> Daemon::start_metrics() {
  if (options_.metrics_listen.empty()) return {};
  web::WebBackend backend;
  backend.snapshot = [this] { return metrics_snapshot(); };
  backend.prepare = [this](rpc::MethodId m, const rpc::Params& p) { return web_prepare(m, p); };
  auto server = web::WebServer::start(options_.metrics_listen, std::move(backend));
  if (!server) return Error{server.error()};
  web_ = std::move(*server);
  log::get("daemon")->info("metrics on http://{}/metrics, the page on http://{}/", options_.metrics_listen,
                           options_.metrics_listen);
  return {};
}

// Called on a web worker: the request is decided on the loop by the socket's
// own dispatcher (access, counting, the same handlers), as one from a peer
// that is never admin; its heavy step, if any, runs back on the worker.
std::optional<rpc::Reply> Daemon::web_prepare(rpc::MethodId method, const rpc::Params& params) {
  std::string line = rpc::make_request(1, method, params);
  if (!line.empty() && line.back() == '\n') line.pop_back();
  auto task = std::make_shared<std::packaged_task<rpc::Reply()>>([this, line = std::move(line)] {
    constexpr rpc::PeerCredentials kWebPeer{0, static_cast<uid_t>(-1), static_cast<gid_t>(-1)};
    return dispatcher_->prepare(line, kWebPeer).reply;
  });
  auto answer = task->get_future();
  asio::post(io_, [task] { (*task)(); });
  if (!wait_on_loop(answer, *stopping_)) return std::nullopt;
  return answer.get();
}

// Called on a web worker at scrape time. The RPC and reload
// counters belong to the io thread, so the snapshot is taken there.
std::optional<MetricsSnapshot> Daemon::metrics_snapshot() {
  auto task = std::make_shared<std::packaged_task<MetricsSnapshot()>>([this] {
    MetricsSnapshot m;
    auto n = names();
    // One store read for the rows and the totals: the series sum to the total.
    auto window = Window{std::chrono::seconds(options_.metrics_window), std::chrono::steady_clock::now()};
    auto active = select_active_asns(store_->asn_activity(window), options_.metrics_top_asns);
    m.top_asns = std::move(active.rows);
    m.other_asns = active.other;
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
    if (tables_) m.refresh_last_success = tables_->status().last_success;
    m.rpc_requests = s.requests.by_method;
    m.start_time = s.started_at;
    m.now = unix_now();
    if (mitigation_) {
      auto mm = mitigation_->metrics();
      m.mitigating = true;
      m.mitigation_decisions = std::move(mm.decisions_by_rule);
      m.mitigation_active_bans = mm.active_bans;
      m.mitigation_prefixes_blocked = mm.prefixes_blocked;
      m.mitigation_packets_dropped = mm.packets_dropped;
      m.mitigation_bytes_dropped = mm.bytes_dropped;
    }
    return m;
  });
  auto answer = task->get_future();
  asio::post(io_, [task] { (*task)(); });
  // Too late: no snapshot, and the exporter repeats the last good one.
  if (!wait_on_loop(answer, *stopping_)) return std::nullopt;
  return answer.get();
}

namespace {

std::int64_t wall_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// History first: a crash between the two files leaves windows a little
// newer than the counts, never counts without their windows.
void save_state_files(const std::string& dir, const std::vector<PrefixRow>& rows, const HistoryImage& image,
                      bool say_so) {
  auto logger = log::get("store");
  auto history = save_history_file(dir, image);
  if (!history) logger->error("cannot save the history: {}", history.error());
  auto saved = save_state(dir, rows);
  if (!saved) return logger->error("cannot save the counts: {}", saved.error());
  // Said on a clean stop, so the operator knows the counts will come back.
  if (say_so)
    logger->info("counts saved to {} ({} rows), history to {} ({}, {} bytes)", state_path(dir), rows.size(),
                 history_path(dir), count_of(image.steps.size(), "step"), history ? history->bytes : 0);
}

}  // namespace

// A damaged state file costs its counts, never the start: it is set aside
// (counts.state.damaged-*) and the daemon starts from zero; a damaged
// history file (history.state.damaged-*) costs the windows only.
// Only a missing file means "no counts yet". One that exists but cannot be
// read stops the start: starting from zero would replace it at the next save.
Result<void> Daemon::restore_counts() {
  auto logger = log::get("store");
  if (auto dir = prepare_private_dir(options_.state_dir, "state directory"); !dir) return Error{dir.error()};
  auto loaded = load_state(options_.state_dir);
  if (!loaded) return Error{loaded.error() + " (fix or move it away; it is never overwritten)"};
  if (!loaded->damage.empty()) {
    logger->error("state file damaged, set aside as {}: {}", set_aside(options_.state_dir), loaded->damage);
    return {};
  }
  store_->import_rows(loaded->rows);
  if (!loaded->rows.empty())
    logger->info("restored {} from {}", count_of(loaded->rows.size(), "row"), state_path(options_.state_dir));
  // The downtime (by the wall clock: the monotonic one restarted with the
  // host) shows as a gap before the restored steps.
  const std::string path = history_path(options_.state_dir);
  auto history = store_->import_history_file(path, wall_now_ms());
  if (!history) return Error{history.error() + " (fix or move it away; it is never overwritten)"};
  if (!history->damage.empty()) {
    logger->error("history file damaged, set aside as {}: {}; the windows start empty", set_aside_file(path),
                  history->damage);
  } else if (history->present) {
    logger->info("restored {} from {}", count_of(history->steps, "history step"), path);
  } else if (!loaded->history.steps.empty()) {  // a state file of an earlier version holds them
    store_->import_history(loaded->history.steps, downtime_since(loaded->history.saved_at_ms, wall_now_ms()));
    logger->info("restored {}", count_of(loaded->history.steps.size(), "history step"));
  }
  return {};
}

void Daemon::save_counts() const {
  // Rows and steps read at the same moment would need one lock over both;
  // a hit between the two reads is in the counts and not yet in a step,
  // which is where it would be anyway (the step in progress is not saved).
  auto image = store_->export_history_image(std::chrono::steady_clock::now(), wall_now_ms());
  save_state_files(options_.state_dir, store_->export_rows(), image, true);
}

// Serialising and writing a full table's counts takes seconds: the rows and
// the steps' bytes are copied here (under the store's lock) and written by
// the saver thread, so the loop (clients, metrics, the watchdog) never waits
// for the disk. A save still under way skips this one. The history goes
// too: after kill -9 the windows are lost no further back than the counts.
void Daemon::save_counts_in_background() {
  if (saving_->exchange(true)) return;
  asio::post(saver_, [dir = options_.state_dir, rows = store_->export_rows(),
                      image = store_->export_history_image(std::chrono::steady_clock::now(), wall_now_ms()),
                      busy = saving_] {
    save_state_files(dir, rows, image, false);
    *busy = false;
  });
}

void Daemon::schedule_save() {
  if (options_.save_interval == 0) return;
  save_timer_.expires_after(std::chrono::seconds(options_.save_interval));
  save_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    save_counts_in_background();
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

}  // namespace asncounter::detail
