#pragma once
// The one refresh path of every table source: one background thread woken by
// a trigger (the `refresh` RPC, a reload) or, for a periodic source, a timer;
// one plausibility check; one set of counters; one error path. A failed
// fetch or an implausible table never replaces the table in force.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/result.hpp"
#include "common/table/lpm_table.hpp"
#include "daemon/refresh/table_source.hpp"

namespace asncounter {

/// How a refresh ended.
enum class RefreshOutcome : std::uint8_t { never, loaded, up_to_date, failed };

/// One refresh that worked: a new table, or the one in force kept as current.
struct RefreshReport {
  RefreshOutcome outcome = RefreshOutcome::loaded;
  std::string message;  ///< "loaded FROM (N prefixes)" or "up to date with FROM"
};

/// What `stats` and the metrics show about refreshing.
struct RefreshStatus {
  std::uint64_t successes{};  ///< refreshes that installed a new table
  std::uint64_t failures{};
  std::uint64_t unchanged{};  ///< refreshes that found the table in force current
  RefreshOutcome last = RefreshOutcome::never;
  std::string message;          ///< the last report, or why the last refresh failed
  std::int64_t last_success{};  ///< Unix seconds, 0: never
  bool running = false;         ///< a refresh is under way
  /// The last outcome in words: "never", "running", "loaded ...", "failed: why".
  std::string describe() const;
};

struct RefreshSettings {
  /// Time between refreshes, failures retried sooner with backoff; zero: a
  /// refresh only when triggered, and no retry.
  std::chrono::seconds interval{0};
  /// A new table with fewer prefixes than this share of the table in force
  /// is refused as implausible (a cut-off file that still parsed).
  double min_prefix_ratio = 0.5;
  /// With no table in force (or an empty one), a new table with fewer
  /// prefixes than this is refused as implausible: the ratio has nothing to
  /// compare with. Set for RouteViews dumps only (rib-min-prefixes); 0: none.
  std::size_t min_first_prefixes = 0;
  std::function<std::int64_t()> now;  ///< Unix seconds; the clock by default (tests set it)
};

class TableRefresher {
 public:
  using CurrentTable = std::function<std::shared_ptr<const LpmTable>()>;
  using PublishTable = std::function<void(std::shared_ptr<const LpmTable>)>;

  TableRefresher(std::unique_ptr<TableSource> source, RefreshSettings settings, CurrentTable current,
                 PublishTable publish);
  ~TableRefresher();
  TableRefresher(const TableRefresher&) = delete;
  TableRefresher& operator=(const TableRefresher&) = delete;

  /// Starts the background thread; a periodic source refreshes at once.
  void start();
  /// Asks for a refresh now; returns at once (requests made meanwhile merge).
  void trigger();
  /// Aborts the work under way and joins the thread.
  void stop();
  RefreshStatus status() const;
  TableSource& source() { return *source_; }

  /// One refresh, synchronously: the report, or why it failed.
  Result<RefreshReport> refresh_once();
  /// One refresh from `source` instead (a reload's new --db), on the
  /// caller's thread, with the same check and counters, given up when `stop`
  /// is set; fails at once when a refresh is under way rather than wait for it.
  Result<RefreshReport> refresh_from(TableSource& source, const std::atomic<bool>& stop);

 private:
  Result<RefreshReport> attempt(TableSource& source, const std::atomic<bool>& stop);
  Result<RefreshReport> install(TableSource& source, const std::shared_ptr<const LpmTable>& current,
                                const Result<TableUpdate>& update);
  void record(const Result<RefreshReport>& outcome);
  void run();
  void loop();

  std::unique_ptr<TableSource> source_;
  RefreshSettings settings_;
  CurrentTable current_;
  PublishTable publish_;
  std::mutex run_mutex_;  // one refresh at a time
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool triggered_ = false;
  std::atomic<bool> stopping_{false};
  RefreshStatus status_;
  std::thread thread_;
};

}  // namespace asncounter
