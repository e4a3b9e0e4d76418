#include "daemon/refresh/rib_refresher.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <vector>

#include "common/table/table_file.hpp"
#include "daemon/log.hpp"
#include "daemon/refresh/archive_index.hpp"
#include "daemon/refresh/backoff.hpp"

namespace asncounter {
namespace fs = std::filesystem;
namespace {

std::int64_t system_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Keeps the newest `keep` cached dumps; older ones only take disk.
void prune_cache(const std::string& dir, std::size_t keep) {
  std::vector<fs::path> ribs;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (rib_time(e.path().filename().string())) ribs.push_back(e.path());
  std::sort(ribs.begin(), ribs.end());  // the name sorts by time
  for (std::size_t i = 0; i + keep < ribs.size(); ++i) fs::remove(ribs[i], ec);
}

}  // namespace

RibRefresher::RibRefresher(RefreshConfig config, CurrentTable current, PublishTable publish,
                           PublishNames names)
    : config_(std::move(config)),
      current_(std::move(current)),
      publish_(std::move(publish)),
      publish_names_(std::move(names)) {
  if (!config_.now) config_.now = system_now;
  config_.limits.cancel = &stopping_;
  status_.last_outcome = "never";
}

RibRefresher::~RibRefresher() { stop(); }

void RibRefresher::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
}

void RibRefresher::trigger() {
  {
    std::lock_guard lock(mutex_);
    triggered_ = true;
  }
  wake_.notify_all();
}

void RibRefresher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

RefreshStatus RibRefresher::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

std::optional<std::string> RibRefresher::newest_cached(const std::string& cache_dir) {
  std::optional<fs::path> best;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(cache_dir, ec)) {
    auto name = e.path().filename().string();
    if (rib_time(name) && (!best || name > best->filename().string())) best = e.path();
  }
  if (!best) return std::nullopt;
  return best->string();
}

void RibRefresher::record(const Result<std::string>& outcome) {
  std::lock_guard lock(mutex_);
  status_.last_attempt = config_.now();
  if (outcome) {
    status_.last_outcome = *outcome;
    status_.last_success = status_.last_attempt;
    if (outcome->starts_with("up to date"))
      ++status_.unchanged;
    else
      ++status_.successes;
  } else {
    status_.last_outcome = "failed: " + outcome.error();
    ++status_.failures;
  }
}

Result<std::string> RibRefresher::refresh_once() {
  auto rib = config_.rib_url.empty() ? Result<std::string>(std::string("no RIB URL")) : refresh_rib();
  if (!config_.asnames_url.empty()) {
    auto names = refresh_names();
    if (!names) log::get("rib")->warn("AS names refresh failed: {}", names.error());
  }
  record(rib);
  return rib;
}

Result<std::string> RibRefresher::refresh_rib() {
  // The newest dump of this month; early in a month, of the month before.
  std::optional<RibFile> newest;
  std::string folder;
  for (int back = 0; back <= 1 && !newest; ++back) {
    folder = rib_month_url(config_.rib_url, config_.now(), back);
    auto listing = fetch_to_string(folder, config_.limits);
    if (!listing) {
      if (back == 1) return Error{"listing " + listing.error()};
      continue;
    }
    auto files = parse_rib_listing(*listing);
    if (!files.empty()) newest = files.back();
  }
  if (!newest) return Error{"no rib.*.bz2 listed in " + folder + " or the month before"};

  std::string url = folder + newest->name;
  fs::path cached = fs::path(config_.cache_dir) / newest->name;
  auto current = current_();
  if (current && current->info().source == url && current->prefix_count() > 0)
    return std::string("up to date with ") + url;

  std::error_code ec;
  if (!fs::exists(cached, ec)) {
    fs::path part = fs::path(config_.cache_dir) / ("." + newest->name + ".part");
    auto size = fetch_to_file(url, part.string(), config_.limits);
    if (!size) {
      fs::remove(part, ec);
      return Error{size.error()};
    }
    // Renamed into place only once it parses: the cache never holds a bad dump.
    auto parsed = read_table_file(part.string());
    if (!parsed) {
      fs::remove(part, ec);
      return Error{"bad dump " + url + ": " + parsed.error()};
    }
    fs::rename(part, cached, ec);
    if (ec) return Error{"cannot move the download into " + cached.string() + ": " + ec.message()};
  }
  auto routes = read_table_file(cached.string());
  if (!routes) {
    fs::remove(cached, ec);
    return Error{"bad dump " + url + ": " + routes.error()};
  }
  routes->info.source = url;
  auto table = LpmTable::build(routes->routes, routes->info);
  if (current && current->prefix_count() > 0 &&
      static_cast<double>(table->prefix_count()) <
          config_.min_prefix_ratio * static_cast<double>(current->prefix_count())) {
    fs::remove(cached, ec);
    return Error{"implausibly small dump " + url + ": " + std::to_string(table->prefix_count()) +
                 " prefixes against " + std::to_string(current->prefix_count()) + " in force"};
  }
  std::size_t prefixes = table->prefix_count();
  publish_(std::move(table));
  {
    std::lock_guard lock(mutex_);
    status_.table_url = url;
    status_.table_loaded_at = config_.now();
  }
  prune_cache(config_.cache_dir, 2);
  return "loaded " + url + " (" + std::to_string(prefixes) + " prefixes)";
}

Result<std::string> RibRefresher::refresh_names() {
  fs::path part = fs::path(config_.cache_dir) / ".asnames.part";
  fs::path cached = fs::path(config_.cache_dir) / "asnames";
  std::error_code ec;
  auto size = fetch_to_file(config_.asnames_url, part.string(), config_.limits);
  if (!size) {
    fs::remove(part, ec);
    return Error{size.error()};
  }
  auto names = AsNames::load(part.string());
  if (!names || names->size() == 0) {
    fs::remove(part, ec);
    return Error{config_.asnames_url + ": " + (names ? std::string("no AS names in it") : names.error())};
  }
  fs::rename(part, cached, ec);
  publish_names_(std::make_shared<const AsNames>(std::move(*names)));
  return std::string("loaded AS names");
}

void RibRefresher::run() {
  auto logger = log::get("rib");
  Backoff backoff(std::chrono::seconds(30), std::chrono::seconds(3600));
  auto next = std::chrono::steady_clock::now();
  while (!stopping_) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait_until(lock, next, [this] { return stopping_.load() || triggered_; });
      if (stopping_) return;
      triggered_ = false;
    }
    auto outcome = refresh_once();
    if (outcome) {
      logger->info("refresh: {}", *outcome);
      backoff.reset();
      next = std::chrono::steady_clock::now() + config_.interval;
    } else {
      auto wait = backoff.next();
      logger->error("refresh failed, keeping the table in force, retry in {} s: {}", wait.count() / 1000,
                    outcome.error());
      next = std::chrono::steady_clock::now() + std::min<std::chrono::milliseconds>(wait, config_.interval);
    }
  }
}

}  // namespace asncounter
