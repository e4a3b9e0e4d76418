#include "daemon/web/metrics_cache.hpp"

#include <spdlog/spdlog.h>

#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include <exception>

#include "daemon/metrics/metrics_collector.hpp"
#include "daemon/sys/log.hpp"

namespace asncounter::web {

std::string metrics_text(const MetricsSnapshot& s) {
  return prometheus::TextSerializer().Serialize(to_metric_families(s));
}

void MetricsCache::scrape(Done done) {
  auto w = std::make_shared<Waiter>(Waiter{std::move(done), asio::steady_timer(io_)});
  waiters_.push_back(w);
  // Before the first snapshot there is nothing to fall back on: wait as
  // long as the daemon waits on its loop.
  w->timer.expires_after(last_->empty() ? std::chrono::milliseconds(5000) : wait_);
  w->timer.async_wait([this, w](boost::system::error_code) {
    if (!w->done) return;  // answered by a fresh snapshot
    auto late = std::move(w->done);
    w->done = nullptr;
    std::erase(waiters_, w);
    late(last_);
  });
  if (taking_) return;
  taking_ = true;
  asio::post(workers_, [this] {
    std::optional<std::string> text;
    try {
      if (auto s = snapshot_()) text = metrics_text(*s);
    } catch (const std::exception& e) {
      log::get("daemon")->error("metrics snapshot failed: {}", e.what());
    }
    asio::post(io_, [this, text = std::move(text)]() mutable { taken(std::move(text)); });
  });
}

void MetricsCache::taken(std::optional<std::string> text) {
  taking_ = false;
  if (text) last_ = std::make_shared<const std::string>(std::move(*text));
  auto waiters = std::move(waiters_);
  waiters_.clear();
  for (auto& w : waiters) {
    if (!w->done) continue;
    auto fresh = std::move(w->done);
    w->done = nullptr;
    w->timer.cancel();
    fresh(last_);
  }
}

}  // namespace asncounter::web
