#include "daemon/refresh/table_refresher.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "daemon/refresh/backoff.hpp"
#include "daemon/sys/log.hpp"

namespace asncounter {
namespace {

std::int64_t system_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string RefreshStatus::describe() const {
  switch (last) {
    case RefreshOutcome::never:
      return running ? "running" : "never";
    case RefreshOutcome::failed:
      return "failed: " + message;
    case RefreshOutcome::loaded:
    case RefreshOutcome::up_to_date:
      break;
  }
  return message;
}

TableRefresher::TableRefresher(std::unique_ptr<TableSource> source, RefreshSettings settings,
                               CurrentTable current, PublishTable publish)
    : source_(std::move(source)),
      settings_(std::move(settings)),
      current_(std::move(current)),
      publish_(std::move(publish)) {
  if (!settings_.now) settings_.now = system_now;
}

TableRefresher::~TableRefresher() { stop(); }

void TableRefresher::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
}

void TableRefresher::trigger() {
  {
    std::lock_guard lock(mutex_);
    triggered_ = true;
  }
  wake_.notify_all();
}

void TableRefresher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

RefreshStatus TableRefresher::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

Result<RefreshReport> TableRefresher::refresh_once() {
  std::lock_guard run(run_mutex_);
  return attempt(*source_, stopping_);
}

Result<RefreshReport> TableRefresher::refresh_from(TableSource& source, const std::atomic<bool>& stop) {
  std::unique_lock run(run_mutex_, std::try_to_lock);
  if (!run) return Error{"a table refresh is under way: try again once it ends"};
  return attempt(source, stop);
}

// Nothing a source throws leaves this thread: it is a failed refresh.
Result<RefreshReport> TableRefresher::attempt(TableSource& source, const std::atomic<bool>& stop) {
  {
    std::lock_guard lock(mutex_);
    status_.running = true;
  }
  Result<RefreshReport> outcome = Error{"not attempted"};
  try {
    auto current = current_();
    outcome = install(source, current, source.fetch(*current, stop));
  } catch (const std::exception& e) {
    outcome = Error{std::string("unexpected error: ") + e.what()};
  } catch (...) {
    outcome = Error{"unexpected error"};
  }
  record(outcome);
  return outcome;
}

// The one plausibility check: a table much smaller than the one in force is
// a cut-off file that still parsed, not a shrunken Internet.
Result<RefreshReport> TableRefresher::install(TableSource& source,
                                              const std::shared_ptr<const LpmTable>& current,
                                              const Result<TableUpdate>& update) {
  if (!update) return Error{update.error()};
  if (!update->table) return RefreshReport{RefreshOutcome::up_to_date, "up to date with " + update->from};
  std::size_t prefixes = update->table->prefix_count();
  if (current->prefix_count() > 0 &&
      static_cast<double>(prefixes) <
          settings_.min_prefix_ratio * static_cast<double>(current->prefix_count())) {
    source.judged(*update, false);
    return Error{"implausibly small table " + update->from + ": " + std::to_string(prefixes) +
                 " prefixes against " + std::to_string(current->prefix_count()) + " in force"};
  }
  if (current->prefix_count() == 0 && prefixes < settings_.min_first_prefixes) {
    source.judged(*update, false);
    return Error{"implausibly small table " + update->from + ": " + std::to_string(prefixes) +
                 " prefixes, fewer than the " + std::to_string(settings_.min_first_prefixes) +
                 " a first dump must hold (rib-min-prefixes)"};
  }
  publish_(update->table);
  source.judged(*update, true);
  return RefreshReport{RefreshOutcome::loaded,
                       "loaded " + update->from + " (" + std::to_string(prefixes) + " prefixes)"};
}

// The one error path: every outcome is counted, and logged here.
void TableRefresher::record(const Result<RefreshReport>& outcome) {
  auto logger = log::get("rib");
  std::lock_guard lock(mutex_);
  status_.running = false;
  if (outcome) {
    status_.last = outcome->outcome;
    status_.message = outcome->message;
    status_.last_success = settings_.now();
    ++(outcome->outcome == RefreshOutcome::up_to_date ? status_.unchanged : status_.successes);
    logger->info("refresh: {}", outcome->message);
  } else {
    status_.last = RefreshOutcome::failed;
    status_.message = outcome.error();
    ++status_.failures;
    logger->error("refresh failed, keeping the table in force: {}", outcome.error());
  }
}

void TableRefresher::run() {
  try {
    loop();
  } catch (const std::exception& e) {
    log::get("rib")->critical("the table refresher stopped: {}", e.what());
  } catch (...) {
    log::get("rib")->critical("the table refresher stopped");
  }
}

void TableRefresher::loop() {
  auto logger = log::get("rib");
  Backoff backoff(std::chrono::seconds(30), std::chrono::seconds(3600));
  const bool periodic = settings_.interval.count() > 0;
  auto next = std::chrono::steady_clock::now();
  while (!stopping_) {
    {
      std::unique_lock lock(mutex_);
      auto woken = [this] { return stopping_.load() || triggered_; };
      if (periodic)
        wake_.wait_until(lock, next, woken);
      else
        wake_.wait(lock, woken);
      if (stopping_) return;
      triggered_ = false;
    }
    auto outcome = refresh_once();
    if (!periodic) continue;
    if (outcome) {
      backoff.reset();
      next = std::chrono::steady_clock::now() + settings_.interval;
    } else {
      auto wait = std::min<std::chrono::milliseconds>(backoff.next(), settings_.interval);
      logger->info("next refresh attempt in {} s", wait.count() / 1000);
      next = std::chrono::steady_clock::now() + wait;
    }
  }
}

}  // namespace asncounter
