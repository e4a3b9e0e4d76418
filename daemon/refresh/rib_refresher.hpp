#pragma once
// Keeps the table fresh: finds the newest RouteViews RIB, downloads it into
// the cache, builds a new table on its own thread and publishes it with one
// swap. A failed download or a bad dump never replaces a good table.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/result.hpp"
#include "common/table/as_names.hpp"
#include "common/table/lpm_table.hpp"
#include "daemon/refresh/http_fetch.hpp"

namespace asncounter {

struct RefreshConfig {
  std::string rib_url;      ///< archive base; empty: no RIB download
  std::string asnames_url;  ///< asnames.json or autnums.html; empty: none
  std::string cache_dir;
  std::chrono::seconds interval{86400};
  FetchLimits limits;
  /// A new table with fewer prefixes than this share of the current one is
  /// refused as implausible (a cut-off dump that still parsed).
  double min_prefix_ratio = 0.5;
  std::function<std::int64_t()> now;  ///< Unix seconds; the clock by default (tests set it)
};

/// What `stats` and the metrics show about refreshing.
struct RefreshStatus {
  std::uint64_t successes{};
  std::uint64_t failures{};
  std::uint64_t unchanged{};    ///< refreshes that found the newest dump already loaded
  std::string last_outcome;     ///< "never", "loaded URL", "up to date", "failed: why"
  std::int64_t last_attempt{};  ///< Unix seconds, 0: never
  std::int64_t last_success{};
  std::string table_url;  ///< where the table in force came from
  std::int64_t table_loaded_at{};
};

class RibRefresher {
 public:
  using CurrentTable = std::function<std::shared_ptr<const LpmTable>()>;
  using PublishTable = std::function<void(std::shared_ptr<const LpmTable>)>;
  using PublishNames = std::function<void(std::shared_ptr<const AsNames>)>;

  RibRefresher(RefreshConfig config, CurrentTable current, PublishTable publish, PublishNames names);
  ~RibRefresher();
  RibRefresher(const RibRefresher&) = delete;
  RibRefresher& operator=(const RibRefresher&) = delete;

  /// Starts the background thread: a refresh at once, then every interval,
  /// retrying failures with backoff.
  void start();
  /// Asks for a refresh now (the `refresh` RPC); returns at once.
  void trigger();
  /// Cancels a transfer under way and joins the thread.
  void stop();
  RefreshStatus status() const;

  /// One refresh, synchronously: the outcome, or the reason it failed.
  Result<std::string> refresh_once();
  /// The newest rib.*.bz2 in `cache_dir`, to load at start before any download.
  static std::optional<std::string> newest_cached(const std::string& cache_dir);

 private:
  Result<std::string> refresh_rib();
  Result<std::string> refresh_names();
  void run();
  void record(const Result<std::string>& outcome);

  RefreshConfig config_;
  CurrentTable current_;
  PublishTable publish_;
  PublishNames publish_names_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool triggered_ = false;
  std::atomic<bool> stopping_{false};
  RefreshStatus status_;
  std::thread thread_;
};

}  // namespace asncounter
