#include "daemon/input/flow/flow_input.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>

#include "daemon/input/fd_util.hpp"
#include "daemon/input/flow/flow_counter.hpp"
#include "daemon/input/flow/record_bounds.hpp"
#include "daemon/input/flow/udp_receiver.hpp"
#include "daemon/input/input_thread.hpp"
#include "daemon/store/event_batch.hpp"
#include "daemon/sys/log.hpp"

namespace asncounter {
namespace {

using Clock = std::chrono::steady_clock;

/// How often the per-exporter stats are published for `stats` and metrics.
constexpr auto kPublishInterval = std::chrono::seconds(1);
/// Longest sleep while no datagram comes: bounds how stale the stats get.
constexpr int kPollMs = 1000;
/// Exporters with counters of their own; the rest share "other". One
/// metric series each, so this also bounds the metrics.
constexpr std::size_t kMaxExporters = 256;

std::int64_t unix_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

FlowExporterCounters to_counters(std::string name, const flow::ExporterStats& s) {
  FlowExporterCounters c;
  c.exporter = std::move(name);
  c.datagrams = s.datagrams;
  c.records = s.records;
  c.sequence_gaps = s.sequence_gaps;
  c.restarts = s.restarts;
  c.no_template = s.no_template;
  c.counter_samples = s.counter_samples;
  c.sampling_rate = s.sampling_rate;
  for (std::size_t i = 1; i < flow::kRejectReasons; ++i)
    if (s.rejected[i] != 0)
      c.rejected.emplace_back(std::string(flow::to_string(static_cast<flow::Reject>(i))), s.rejected[i]);
  return c;
}

class FlowInput final : public Input {
 public:
  FlowInput(flow::FlowPort port, std::string spec, const InputOptions& options, std::vector<Prefix> allowed,
            std::vector<flow::SamplingOverride> overrides, std::unique_ptr<flow::UdpReceiver> receiver)
      : spec_(std::move(spec)),
        allowed_(std::move(allowed)),
        receiver_(std::move(receiver)),
        collector_(port, limits(options, std::move(overrides))),
        counter_(options.flow_destination, options.flow_sampling, [this](const EventBatch& b) { sink_(b); }) {
    collector_.on_rate_change(
        [this](const Address& a, std::uint32_t from, std::uint32_t to) { log_rate_change(a, from, to); });
  }

  ~FlowInput() override { FlowInput::stop(); }

  void start(BatchSink sink) override {
    std::lock_guard lock(mutex_);
    if (started_) return;
    started_ = true;
    sink_ = std::move(sink);
    published_.state = InputPhase::running;
    thread_ = std::thread([this] { run(); });
  }

  void stop() override {
    waker_.wake();
    if (thread_.joinable()) thread_.join();
  }

  void wait() override { wait_until_finished(mutex_, cv_, started_, finished_); }

  const std::string& spec() const override { return spec_; }

  InputCounters counters() const override {
    std::lock_guard lock(mutex_);
    return published_;
  }

  /// The port bound (for tests that ask for port 0).
  std::uint16_t port() const { return receiver_->port(); }

 private:
  static flow::FlowCollector::Limits limits(const InputOptions& o,
                                            std::vector<flow::SamplingOverride> overrides) {
    flow::FlowCollector::Limits l;
    l.max_exporters = kMaxExporters;
    l.records.max_sampling = o.flow_max_sampling;
    l.overrides = std::move(overrides);
    return l;
  }

  // A rate that changes is worth a line (hits and bytes scale with it), but a
  // spoofer flipping rates must not flood the journal: one line a second at most.
  void log_rate_change(const Address& a, std::uint32_t from, std::uint32_t to) {
    const auto now = Clock::now();
    if (now < next_rate_log_) {
      ++rate_logs_held_;
      return;
    }
    next_rate_log_ = now + std::chrono::seconds(1);
    log::get("flow")->info(
        "input {}: exporter {} now samples 1 in {} (was 1 in {}; {} more changes not logged)", spec_,
        to_string(a), to, from, rate_logs_held_);
    rate_logs_held_ = 0;
  }

  void run() {
    InputState end_state = InputPhase::stopped;
    try {
      auto next_publish = Clock::now() + kPublishInterval;
      while (!waker_.stopped()) {
        const std::size_t n = receiver_->receive(
            [this](const Address& from, std::span<const std::uint8_t> d) { on_datagram(from, d); });
        if (n == 0) {
          flush();
          publish();
          next_publish = Clock::now() + kPublishInterval;
          if (wait_readable(receiver_->fd(), waker_, kPollMs) == WaitResult::stopped) break;
          continue;
        }
        if (Clock::now() >= next_publish) {
          flush();
          publish();
          next_publish = Clock::now() + kPublishInterval;
        }
      }
    } catch (const std::exception& e) {
      end_state = InputState::failed(e.what());
      log::get("flow")->error("input {} failed: {}", spec_, e.what());
    }
    try {
      flush();
    } catch (const std::exception& e) {
      end_state = InputState::failed(e.what());
    }
    publish();
    {
      std::lock_guard lock(mutex_);
      published_.state = end_state;
      finished_ = true;
    }
    cv_.notify_all();
  }

  bool allowed(const Address& a) const {
    for (const Prefix& p : allowed_)
      if (contains(p, a)) return true;
    return false;
  }

  void on_datagram(const Address& from, std::span<const std::uint8_t> datagram) {
    if (!allowed(from)) {
      ++refused_;
      return;
    }
    records_.clear();
    const flow::DecodeResult r = collector_.receive(from, datagram, unix_seconds(), records_);
    if (r.reject != flow::Reject::none) {
      ++rejected_;
      return;
    }
    for (const flow::FlowRecord& f : records_) counter_.count(f);
  }

  void flush() { counter_.flush(); }

  // Expiry runs here, once a second at most, not on each template insert:
  // a flood of refused templates costs a lookup each, never a full scan.
  void expire_templates() { collector_.templates().expire(unix_seconds()); }

  // Copies what the reader thread keeps into what counters() hands out.
  void publish() {
    expire_templates();
    InputCounters c;
    c.events = counter_.events();
    c.refused = refused_;
    c.rejected = rejected_ + refused_;
    c.capture_drops = receiver_->read_drops();
    collector_.for_each([&](const Address& a, const flow::ExporterStats& s) {
      c.exporters.push_back(to_counters(to_string(a), s));
    });
    if (collector_.other_stats().datagrams != 0)
      c.exporters.push_back(to_counters("other", collector_.other_stats()));
    std::lock_guard lock(mutex_);
    c.state =
        published_.state.phase == InputPhase::created ? InputState(InputPhase::running) : published_.state;
    published_ = std::move(c);
  }

  const std::string spec_;
  const std::vector<Prefix> allowed_;
  Waker waker_;

  // Reader thread only.
  std::unique_ptr<flow::UdpReceiver> receiver_;
  flow::FlowCollector collector_;
  std::vector<flow::FlowRecord> records_;
  BatchSink sink_;
  flow::FlowCounter counter_;  // after sink_, which it calls
  std::uint64_t rejected_ = 0;
  std::uint64_t refused_ = 0;
  Clock::time_point next_rate_log_{};
  std::uint64_t rate_logs_held_ = 0;

  mutable std::mutex mutex_;  // guards what follows
  std::condition_variable cv_;
  InputCounters published_;
  bool started_ = false;
  bool finished_ = false;
  std::thread thread_;
};

}  // namespace

// Without a list, anyone who can reach the port could forge counts (and,
// with mitigation, bans): only this host's own exporters (softflowd,
// pmacct, hsflowd next to the daemon) are taken until the operator names
// the routers.
std::vector<Prefix> loopback_exporters() { return {*parse_prefix("127.0.0.0/8"), *parse_prefix("::1/128")}; }

Result<std::vector<Prefix>> parse_exporter_list(const std::string& text) {
  std::vector<Prefix> out;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t end = text.find_first_of(", \t", i);
    const std::string_view item = std::string_view(text).substr(i, end == std::string::npos ? end : end - i);
    i = end == std::string::npos ? text.size() : end + 1;
    if (item.empty()) continue;
    if (auto p = parse_prefix(item)) {
      out.push_back(*p);
    } else if (auto a = parse_address(item)) {
      out.push_back(Prefix{*a, static_cast<std::uint8_t>(a->is_v4() ? 32 : 128)});
    } else {
      return Error{"'" + std::string(item) + "' is not an address or a prefix"};
    }
  }
  return out;
}

Result<std::unique_ptr<Input>> make_flow_input(flow::FlowPort port, const std::string& endpoint,
                                               const std::string& spec, const InputOptions& options) {
  auto fail = [&](const std::string& why) { return Error{"input " + spec + ": " + why}; };
  // Routers send for as long as they run: a flow input has no end for --once
  // to wait for, so it is refused before a socket is bound.
  if (options.once)
    return fail(
        "--once reads inputs to their end, and flows never end; run the daemon and ask "
        "`asncounterctl top`, or replay the capture with --input pcap-file:");
  const auto e = flow::parse_endpoint(endpoint);
  if (!e) return fail("expected ADDR:PORT, with IPv6 in brackets ([::]:2055)");
  auto allowed = parse_exporter_list(options.flow_exporters);
  if (!allowed) return fail("flow-exporters: " + allowed.error());
  if (allowed->empty()) *allowed = loopback_exporters();
  auto overrides = flow::parse_sampling_overrides(options.flow_sampling_overrides);
  if (!overrides) return fail("flow-sampling-override: " + overrides.error());
  flow::UdpReceiverOptions ro;
  ro.receive_buffer = options.flow_rcvbuf;
  auto receiver = flow::UdpReceiver::open(*e, ro);
  if (!receiver) return fail(receiver.error());
  const std::size_t granted = (*receiver)->receive_buffer();
  if (ro.receive_buffer > 0 && granted < ro.receive_buffer)
    log::get("flow")->warn(
        "input {}: the kernel granted a receive buffer of {} bytes, not the {} asked for (flow-rcvbuf); "
        "bursts may be dropped (raise net.core.rmem_max or run with CAP_NET_ADMIN)",
        spec, granted, ro.receive_buffer);
  return std::unique_ptr<Input>(std::make_unique<FlowInput>(port, spec, options, std::move(*allowed),
                                                            std::move(*overrides), std::move(*receiver)));
}

std::vector<std::string> check_flow_input(const std::string& endpoint, const std::string& spec,
                                          bool daemon_running) {
  auto parsed = flow::parse_endpoint(endpoint);
  if (!parsed) return {spec + ": not ADDR:PORT"};
  flow::UdpReceiverOptions small;
  small.receive_buffer = 4096;
  auto bound = flow::UdpReceiver::open(*parsed, small);
  const bool in_use = !bound && bound.error().find(std::strerror(EADDRINUSE)) != std::string::npos;
  if (!bound && !(daemon_running && in_use)) return {spec + ": " + bound.error()};
  return {};
}

}  // namespace asncounter
