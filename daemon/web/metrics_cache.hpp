#pragma once
// /metrics answers from here: one snapshot at a time is taken (on a worker,
// since it waits on the daemon's loop) and turned into Prometheus text; a
// scrape waits for it at most fresh_snapshot_wait, then gets the last text.
// Concurrent scrapes share one snapshot. Used on the server's thread only.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/metrics/metrics_snapshot.hpp"
#include "daemon/sys/asio.hpp"
#include "daemon/web/web_limits.hpp"

namespace asncounter::web {

/// The Prometheus text exposition of a snapshot.
std::string metrics_text(const MetricsSnapshot& s);

class MetricsCache {
 public:
  using Snapshotter = std::function<std::optional<MetricsSnapshot>()>;
  using Done = std::function<void(std::shared_ptr<const std::string>)>;

  MetricsCache(asio::io_context& io, asio::thread_pool& workers, Snapshotter& snapshot,
               const WebLimits& limits)
      : io_(io), workers_(workers), snapshot_(snapshot), wait_(limits.fresh_snapshot_wait) {}

  /// Calls `done` (on the server's thread) with the text to serve: a fresh
  /// one, or the last one when the fresh one is late (empty before the first).
  void scrape(Done done);

 private:
  struct Waiter {
    Done done;  ///< empty once answered (by the snapshot or the timer, whichever came first)
    asio::steady_timer timer;
  };
  void taken(std::optional<std::string> text);

  asio::io_context& io_;
  asio::thread_pool& workers_;
  Snapshotter& snapshot_;
  std::chrono::milliseconds wait_;
  std::shared_ptr<const std::string> last_ = std::make_shared<const std::string>();
  std::vector<std::shared_ptr<Waiter>> waiters_;
  bool taking_ = false;
};

}  // namespace asncounter::web
