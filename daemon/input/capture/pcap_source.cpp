#include "daemon/input/capture/pcap_source.hpp"

#include <net/if.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>

#include "daemon/input/capture/packet_decoder.hpp"
#include "daemon/input/capture/pcap_file_reader.hpp"
#include "daemon/input/capture/pcap_handle.hpp"
#include "daemon/input/fd_util.hpp"
#include "daemon/input/input_thread.hpp"
#include "daemon/sys/log.hpp"

namespace asncounter {
namespace {

using Clock = std::chrono::steady_clock;

/// How long a failed interface waits before the next attempt to open it.
constexpr auto kRetryInterval = std::chrono::seconds(2);
/// How often pcap_stats is read and the interface checked while capturing.
constexpr auto kStatsInterval = std::chrono::seconds(1);
/// Longest sleep in poll(): bounds how stale drops get on a quiet link.
constexpr int kPollMs = 1000;

// An opened capture file: classic pcap through our reader (with its filter
// compiled here), pcapng through libpcap.
struct FileSource {
  std::unique_ptr<PcapFileReader> reader;
  BpfProgramPtr filter;
  PcapHandle pcap;
};

class PcapInput final : public Input {
 public:
  PcapInput(PcapSourceKind kind, std::string name, std::string spec, InputOptions options,
            pcap_direction_t direction, FileSource file)
      : kind_(kind),
        name_(std::move(name)),
        spec_(std::move(spec)),
        options_(std::move(options)),
        direction_(direction),
        file_(std::move(file)),
        batch_(std::make_unique<EventBatch>()) {
    batch_->has_bytes = true;
  }

  ~PcapInput() override { PcapInput::stop(); }

  void start(BatchSink sink) override {
    std::lock_guard lock(mutex_);
    if (started_ || stopping_) return;
    started_ = true;
    sink_ = std::move(sink);
    state_ = {kind_ == PcapSourceKind::file ? InputPhase::running : InputPhase::opening};
    thread_ = std::thread([this] { run(); });
  }

  void stop() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      stop_flag_.store(true, std::memory_order_relaxed);
      if (active_) pcap_breakloop(active_);
    }
    cv_.notify_all();
    waker_.wake();
    if (thread_.joinable()) thread_.join();
  }

  void wait() override { wait_until_finished(mutex_, cv_, started_, finished_); }

  const std::string& spec() const override { return spec_; }

  InputCounters counters() const override {
    InputCounters c;
    c.events = events_.load(std::memory_order_relaxed);
    c.rejected = rejected_.load(std::memory_order_relaxed);
    c.non_ip = non_ip_.load(std::memory_order_relaxed);
    c.capture_drops = drops_.load(std::memory_order_relaxed);
    c.reopens = reopens_.load(std::memory_order_relaxed);
    std::lock_guard lock(mutex_);
    c.state = state_;
    return c;
  }

 private:
  void run() {
    InputState end_state;
    try {
      if (kind_ == PcapSourceKind::live)
        end_state = capture_live();
      else
        end_state = file_.reader ? replay_classic() : replay_file();
    } catch (const std::exception& e) {
      end_state = InputState::failed(e.what());
      log::get("capture")->error("input {} failed: {}", spec_, e.what());
    }
    try {
      flush();
    } catch (const std::exception& e) {
      end_state = InputState::failed(e.what());
    }
    {
      std::lock_guard lock(mutex_);
      state_ = end_state;
      finished_ = true;
      active_ = nullptr;
    }
    cv_.notify_all();
  }

  // Reads the whole file, then ends (in one-shot and daemon mode alike).
  InputState replay_classic() {
    PcapFileReader& reader = *file_.reader;
    link_type_ = reader.link_type();
    std::uint32_t caplen = 0;
    std::uint32_t orig_len = 0;
    while (const std::uint8_t* data = reader.next(caplen, orig_len)) {
      if (file_.filter) {
        pcap_pkthdr h{};
        h.caplen = caplen;
        h.len = orig_len;
        if (pcap_offline_filter(file_.filter.get(), &h, data) == 0) continue;
      }
      on_packet(caplen, data);
      if (stop_flag_.load(std::memory_order_relaxed)) return {InputPhase::stopped};
    }
    if (reader.error().empty()) return {InputPhase::finished};
    // A cut-off file: what came before the damage still counts.
    log::get("capture")->warn("input {}: {}", spec_, reader.error());
    return InputState::failed(reader.error());
  }

  // The same for what libpcap reads (pcapng).
  InputState replay_file() {
    pcap_t* p = file_.pcap.get();
    ActiveHandle active(*this, p);
    link_type_ = pcap_datalink(p);
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    for (;;) {
      const int rc = pcap_next_ex(p, &header, &data);
      if (rc == 1) {
        on_packet(header->caplen, data);
        continue;
      }
      if (rc == PCAP_ERROR_BREAK) return {stop_flag_.load() ? InputPhase::stopped : InputPhase::finished};
      // A cut-off file: what came before the damage still counts.
      InputState why = InputState::failed(pcap_geterr(p));
      log::get("capture")->warn("input {}: {}", spec_, why.text());
      return why;
    }
  }

  // Captures until stopped; an interface that fails or vanishes is retried.
  InputState capture_live() {
    std::string last_error;
    bool opened_before = false;
    while (!stop_flag_.load()) {
      auto p = open_live(name_, options_.bpf_filter, direction_);
      if (!p) {
        report_error(p.error(), last_error);
        sleep_unless_stopped(kRetryInterval);
        continue;
      }
      if (opened_before) reopens_.fetch_add(1, std::memory_order_relaxed);
      opened_before = true;
      last_error.clear();
      set_state({InputPhase::running});
      log::get("capture")->info("capturing on {} (link type {})", name_,
                                link_type_name(pcap_datalink(p->get())));
      std::string why = capture_session(p->get());
      flush();
      if (why.empty()) break;
      report_error(why, last_error);
      sleep_unless_stopped(kRetryInterval);
    }
    return {InputPhase::stopped};
  }

  // One open handle, until stop (returns "") or an error (returns why).
  std::string capture_session(pcap_t* p) {
    link_type_ = pcap_datalink(p);
    const unsigned index = if_nametoindex(name_.c_str());
    const std::uint64_t drops_before = drops_.load();
    ActiveHandle active(*this, p);
    pollfd fds[2] = {{pcap_get_selectable_fd(p), POLLIN, 0}, {waker_.fd(), POLLIN, 0}};
    auto next_stats = Clock::now() + kStatsInterval;
    unsigned since_check = 0;
    std::string why;
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    while (why.empty() && !stop_flag_.load(std::memory_order_relaxed)) {
      const int rc = pcap_next_ex(p, &header, &data);
      if (rc == 1) {
        on_packet(header->caplen, data);
        if (++since_check < 4096) continue;
        since_check = 0;
        if (Clock::now() < next_stats) continue;
      } else if (rc == 0) {
        flush();
        if (Clock::now() < next_stats) ::poll(fds, 2, kPollMs);
        if (Clock::now() < next_stats) continue;
      } else if (rc == PCAP_ERROR) {
        why = "capture on " + name_ + " failed: " + pcap_geterr(p);
        break;
      } else {
        continue;  // PCAP_ERROR_BREAK: the loop condition sees the stop flag
      }
      next_stats = Clock::now() + kStatsInterval;
      why = refresh_stats(p, index, drops_before);
    }
    refresh_stats(p, index, drops_before);
    return why;
  }

  // Drops come from the kernel ring (ps_drop, cumulative per handle); a
  // deleted interface does not always make libpcap fail, so its index is checked too.
  std::string refresh_stats(pcap_t* p, unsigned index, std::uint64_t drops_before) {
    pcap_stat st{};
    if (pcap_stats(p, &st) == 0) drops_.store(drops_before + st.ps_drop, std::memory_order_relaxed);
    if (index != 0 && if_nametoindex(name_.c_str()) != index) return "interface " + name_ + " vanished";
    return {};
  }

  void on_packet(std::uint32_t caplen, const u_char* data) {
    const DecodedPacket d = decode_packet(link_type_, data, caplen);
    if (d.status != DecodeStatus::ok) {
      // ARP, LLDP, ...: normal traffic that carries no address to count, not a broken packet.
      ++(d.status == DecodeStatus::non_ip ? non_ip_local_ : rejected_local_);
      return;
    }
    batch_->push(d.source, 1, d.ip_length);
    ++events_local_;
    if (batch_->full()) flush();
  }

  // Hands the batch to the sink and publishes the counts that go with it.
  void flush() {
    if (batch_->size != 0) {
      sink_(*batch_);
      batch_->clear();
    }
    events_.store(events_local_, std::memory_order_relaxed);
    rejected_.store(rejected_local_, std::memory_order_relaxed);
    non_ip_.store(non_ip_local_, std::memory_order_relaxed);
  }

  void report_error(const std::string& why, std::string& last) {
    if (why != last)
      log::get("capture")->warn("input {}: error: {}; retrying every {} s", spec_, why,
                                std::chrono::seconds(kRetryInterval).count());
    last = why;
    set_state(InputState::failed(why));
  }

  void sleep_unless_stopped(Clock::duration d) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, d, [this] { return stopping_; });
  }

  void set_state(InputState s) {
    std::lock_guard lock(mutex_);
    state_ = std::move(s);
  }

  void set_active(pcap_t* p) {
    std::lock_guard lock(mutex_);
    active_ = p;
    if (p && stopping_) pcap_breakloop(p);
  }

  // Publishes the handle stop() may break, and withdraws it before the
  // handle can be closed, also when the sink throws.
  struct ActiveHandle {
    ActiveHandle(PcapInput& in, pcap_t* p) : input(in) { input.set_active(p); }
    ~ActiveHandle() { input.set_active(nullptr); }
    ActiveHandle(const ActiveHandle&) = delete;
    ActiveHandle& operator=(const ActiveHandle&) = delete;
    PcapInput& input;
  };

  const PcapSourceKind kind_;
  const std::string name_;
  const std::string spec_;
  const InputOptions options_;
  const pcap_direction_t direction_;
  FileSource file_;

  // Reader thread only: the hot path touches nothing shared per packet.
  std::unique_ptr<EventBatch> batch_;
  BatchSink sink_;
  int link_type_ = 0;
  std::uint64_t events_local_ = 0;
  std::uint64_t rejected_local_ = 0;
  std::uint64_t non_ip_local_ = 0;

  std::atomic<std::uint64_t> events_{0};
  std::atomic<std::uint64_t> rejected_{0};
  std::atomic<std::uint64_t> non_ip_{0};
  std::atomic<std::uint64_t> drops_{0};
  std::atomic<std::uint64_t> reopens_{0};
  std::atomic<bool> stop_flag_{false};
  Waker waker_;  // wakes the poll() between packets on stop()

  mutable std::mutex mutex_;  // guards what follows
  std::condition_variable cv_;
  InputState state_{InputPhase::idle};
  pcap_t* active_ = nullptr;  // for pcap_breakloop from stop()
  bool started_ = false;
  bool stopping_ = false;
  bool finished_ = false;
  std::thread thread_;
};

Result<FileSource> open_capture_file(const std::string& path, const std::string& filter) {
  FileSource f;
  if (!PcapFileReader::is_classic(path)) {
    auto pcap = open_file(path, filter);
    if (!pcap) return Error{pcap.error()};
    f.pcap = std::move(*pcap);
    return f;
  }
  auto reader = PcapFileReader::open(path);
  if (!reader) return Error{reader.error()};
  f.reader = std::move(*reader);
  const int dlt = f.reader->link_type();
  if (auto ok = check_link_type("capture file " + path, dlt); !ok) return Error{ok.error()};
  auto program = compile_filter_for(dlt, filter);
  if (!program) return Error{program.error()};
  f.filter = std::move(*program);
  return f;
}

}  // namespace

Result<std::unique_ptr<Input>> make_pcap_input(PcapSourceKind kind, const std::string& name,
                                               const std::string& spec, const InputOptions& options) {
  auto fail = [&](const std::string& why) { return Error{"input " + spec + ": " + why}; };
  if (name.empty()) return fail(kind == PcapSourceKind::file ? "no file named" : "no interface named");
  FileSource file;
  if (kind == PcapSourceKind::file) {
    auto opened = open_capture_file(name, options.bpf_filter);
    if (!opened) return fail(opened.error());
    file = std::move(*opened);
  } else if (auto ok = check_filter(options.bpf_filter); !ok) {
    return fail(ok.error());
  }
  return std::unique_ptr<Input>(
      std::make_unique<PcapInput>(kind, name, spec, options, to_pcap(options.direction), std::move(file)));
}

std::vector<std::string> check_pcap_input(PcapSourceKind kind, const std::string& name,
                                          const std::string& spec) {
  if (kind == PcapSourceKind::file && ::access(name.c_str(), R_OK) != 0)
    return {spec + ": cannot read " + name + ": " + std::strerror(errno)};
  return {};
}

int pcap_link_type(PcapSourceKind kind, const std::string& name) {
  if (kind == PcapSourceKind::file) {
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    PcapHandle p(pcap_open_offline(name.c_str(), errbuf));
    return p ? pcap_datalink(p.get()) : DLT_EN10MB;
  }
  return name == "any" ? DLT_LINUX_SLL : DLT_EN10MB;
}

}  // namespace asncounter
