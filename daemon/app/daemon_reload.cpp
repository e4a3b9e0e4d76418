// A reload in two steps (DESIGN.md: no request holds the event loop for more
// than a few milliseconds): Daemon::Reload::stage() parses the configuration,
// resolves the admin group, loads changed AS names and a new db off the loop;
// commit() swaps them in on it. Knot's discipline: parse into a new config,
// validate, then swap; on any failure the old configuration stays whole.
#include <spdlog/spdlog.h>

#include <exception>
#include <string>
#include <vector>

#include "common/table/table_file.hpp"
#include "daemon/app/daemon_impl.hpp"
#include "daemon/config/command_line.hpp"
#include "daemon/config/mitigate_options.hpp"
#include "daemon/sys/log.hpp"
#include "daemon/sys/systemd_notify.hpp"

namespace asncounter::detail {

class Daemon::Reload final : public rpc::ReloadJob {
 public:
  explicit Reload(Daemon& d)
      : daemon_(d),
        options_(d.options_),
        names_(d.names()),
        tables_(d.tables_.get()),
        reloading_(d.reloading_),
        stopping_(d.stopping_) {
    systemd::reloading();
  }
  ~Reload() override {
    // Dropped uncommitted (its client left): systemd hears the reload ended.
    // At a stop it has heard "stopping" already.
    if (!committed_ && !*stopping_) systemd::ready();
    *reloading_ = false;
  }
  Reload(const Reload&) = delete;
  Reload& operator=(const Reload&) = delete;

  void stage() override {
    // Nothing thrown leaves the worker: it is a failed reload.
    try {
      next_ = read_next();
      if (next_) check_db();
      if (next_) mitigation_ = mitigate::mitigation_config(next_->options);
    } catch (const std::exception& e) {
      next_ = Error{std::string("unexpected error: ") + e.what()};
    }
  }

  Result<std::vector<std::string>> commit() override;

 private:
  Result<Reloadable> read_next() const;
  void check_db();
  Result<void> load_db(const std::string& path);

  Daemon& daemon_;
  const Options options_;  // the configuration in force when the reload began
  const std::shared_ptr<const AsNames> names_;
  TableRefresher* const tables_;  // only a commit replaces it, and one reload runs at a time
  std::shared_ptr<std::atomic<bool>> reloading_;
  std::shared_ptr<std::atomic<bool>> stopping_;
  Result<Reloadable> next_ = Error{"the reload was not read"};
  Result<mitigate::MitigationConfig> mitigation_ = Error{"the reload was not read"};
  std::unique_ptr<TableRefresher> first_tables_;  // the refresher of a first db
  bool switched_db_ = false;                      // a new db was loaded and installed
  bool committed_ = false;
};

Result<Reloadable> Daemon::Reload::read_next() const {
  std::vector<const char*> argv;
  for (const auto& a : daemon_.args_) argv.push_back(a.c_str());
  auto parsed = reload_options(options_, static_cast<int>(argv.size()), argv.data());
  if (!parsed) return Error{parsed.error()};
  auto policy = rpc::AdminPolicy::make(parsed->admin_group);
  if (!policy) return Error{policy.error()};
  auto names = parsed->asnames == options_.asnames ? Result<std::shared_ptr<const AsNames>>(names_)
                                                   : AsNames::load_shared(parsed->asnames);
  if (!names) return Error{names.error()};
  return Reloadable{std::move(*parsed), std::move(*policy), std::move(*names)};
}

void Daemon::Reload::check_db() {
  const std::string& db = next_->options.db;
  if (db.empty()) return;
  if (db != options_.db) {
    if (auto loaded = load_db(db); !loaded) next_ = Error{"the new db is refused: " + loaded.error()};
    return;
  }
  // The same db, perhaps replaced in place: a reload says now what the next
  // refresh or start would refuse (quickly: the table is not built).
  if (auto why = verify_table_file(db, table_limits(next_->options)); !why.empty())
    next_ = Error{"db: " + why};
}

// A new db is read and checked like any refresh before the reload answers
// (and installed at once, the plausibility check passed); a stop gives it up.
Result<void> Daemon::Reload::load_db(const std::string& path) {
  const Options& o = next_->options;
  if (tables_) {
    FileSource next(path, table_limits(o), o.cache_dir);
    auto loaded = tables_->refresh_from(next, *stopping_);
    if (!loaded) return Error{loaded.error()};
    switched_db_ = true;
    return {};
  }
  auto refresher =
      std::make_unique<TableRefresher>(std::make_unique<FileSource>(path, table_limits(o), o.cache_dir),
                                       RefreshSettings{}, daemon_.current_table(), daemon_.publish_table());
  auto loaded = refresher->refresh_from(refresher->source(), *stopping_);
  if (!loaded) return Error{loaded.error()};
  first_tables_ = std::move(refresher);
  return {};
}

Result<std::vector<std::string>> Daemon::Reload::commit() {
  committed_ = true;
  systemd::ready();
  Daemon& d = daemon_;
  auto logger = log::get("daemon");
  if (!next_) {
    ++d.counters_.reloads_failed;
    d.counters_.last_reload_error = next_.error();
    logger->error("reload failed, keeping the old configuration: {}", next_.error());
    return Error{next_.error()};
  }
  // First, so that a mode the kernel cannot serve (enforce without nf_tables) keeps the old configuration
  // whole.
  if (auto mitigating = mitigation_ ? d.mitigation_->reconfigure(std::move(*mitigation_), unix_now())
                                    : Result<void>(Error{mitigation_.error()});
      !mitigating) {
    ++d.counters_.reloads_failed;
    d.counters_.last_reload_error = "mitigation: " + mitigating.error();
    logger->error("reload failed, keeping the old configuration: {}", d.counters_.last_reload_error);
    return Error{d.counters_.last_reload_error};
  }
  auto restart = apply_reload(d.options_, next_->options);
  for (const std::string& key : restart) logger->warn("{}: needs a restart (the old value stays)", key);
  log::set_level(d.options_.log_level);
  d.dispatcher_->set_policy(std::move(next_->policy));
  d.server_->set_limits(limits_of(d.options_));
  d.dispatcher_->set_caps(caps_of(d.options_));
  {
    std::lock_guard lock(d.names_mutex_);
    d.names_ = std::move(next_->names);
  }
  // The file source reads the new db from now on; with downloads on, the
  // mirror stays the source and refreshes now.
  if (first_tables_) {
    d.tables_ = std::move(first_tables_);
    d.db_source_ = static_cast<FileSource*>(&d.tables_->source());
    d.tables_->start();
  } else if (switched_db_) {
    if (d.db_source_)
      d.db_source_->set_path(next_->options.db);
    else
      d.tables_->trigger();
  }
  ++d.counters_.reloads_ok;
  d.counters_.last_reload_error.clear();
  logger->info("configuration reloaded");
  return restart;
}

Result<std::shared_ptr<rpc::ReloadJob>> Daemon::begin_reload() {
  if (reloading_->exchange(true)) return Error{"a reload is under way: try again once it ends"};
  return std::shared_ptr<rpc::ReloadJob>(std::make_shared<Reload>(*this));
}

// A signal has no one to answer: the commit logs and counts a failure.
void Daemon::reload_on_signal() {
  auto job = begin_reload();
  if (!job) {
    log::get("daemon")->warn("SIGHUP ignored: {}", job.error());
    return;
  }
  server_->post_work([this, job = *job] {
    job->stage();
    asio::post(io_, [job] { static_cast<void>(job->commit()); });
  });
}

}  // namespace asncounter::detail
