#pragma once
// An input: one source of events (a log file, a FIFO, stdin, a capture),
// read on its own thread and handed to a sink in batches.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "common/result.hpp"
#include "daemon/input/event_batch.hpp"

namespace asncounter {

/// Receives full (or final) batches; called from the input's thread.
using BatchSink = std::function<void(const EventBatch&)>;

/// Where an input is in its life.
enum class InputPhase : std::uint8_t {
  created,
  idle,
  starting,
  opening,
  running,
  waiting,
  finished,
  stopped,
  error
};

/// An input's phase and, for `error`, why: stats shows it as one string
/// ("running", "error: cannot open ...").
struct InputState {
  InputPhase phase = InputPhase::created;
  std::string why;  ///< set for InputPhase::error only

  InputState() = default;
  InputState(InputPhase p) : phase(p) {}  // NOLINT: implicit, a phase is a state

  /// The error state with its reason.
  static InputState failed(std::string reason) {
    InputState s(InputPhase::error);
    s.why = std::move(reason);
    return s;
  }
  /// The words stats and `asncounterctl stats` show.
  std::string text() const;
  bool operator==(const InputState&) const = default;
};

/// What an input has seen, for stats and metrics.
struct InputCounters {
  std::uint64_t events{};         ///< accepted events (lines with an address, IP packets)
  std::uint64_t rejected{};       ///< lines without an address, non-IP or broken packets
  std::uint64_t oversized{};      ///< lines over the 64 KiB limit (also counted as rejected)
  std::uint64_t capture_drops{};  ///< packets the kernel or libpcap dropped (pcap_stats)
  std::uint64_t reopens{};        ///< rotations followed, FIFO writer changes, interface reopens
  InputState state;               ///< running, finished, error with why, ...
};

/// How inputs read; every field has a config key (daemon/options.hpp).
struct InputOptions {
  std::string format = "plain";  ///< line format (daemon/input/line_format.hpp)
  std::string bpf_filter;        ///< pcap: BPF filter expression
  std::string direction = "in";  ///< pcap: in, out or inout
  bool once = false;             ///< read to the end and finish (no tail -F, no FIFO reopen)
};

class Input {
 public:
  virtual ~Input() = default;
  /// Starts the reader thread; batches go to `sink`.
  virtual void start(BatchSink sink) = 0;
  /// Stops the reader (its partial batch is flushed first) and joins it.
  virtual void stop() = 0;
  /// Blocks until the input has ended by itself (one-shot mode).
  virtual void wait() = 0;
  /// The spec it was made from, e.g. "fifo:/run/asncounter/log".
  virtual const std::string& spec() const = 0;
  virtual InputCounters counters() const = 0;
};

/// Makes an input from a spec (--input): one of input_spec_names(), rows of
/// daemon/input/input_factory.cpp. Nothing starts until start().
Result<std::unique_ptr<Input>> make_input(const std::string& spec, const InputOptions& options);

/// The specs --input accepts, as prose: "-, stdin, file:PATH, ... or pcap-file:PATH".
const std::string& input_spec_names();

/// True when `spec` names an input kind (its argument is checked only by make_input).
bool is_input_spec(std::string_view spec);

}  // namespace asncounter
