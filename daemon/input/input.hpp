#pragma once
// An input: one source of events (a log file, a FIFO, stdin, a capture),
// read on its own thread and handed to a sink in batches.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/counts.hpp"
#include "common/result.hpp"
#include "daemon/input/input_options.hpp"
#include "daemon/store/event_batch.hpp"

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

/// One flow exporter's counters (sflow: and netflow: inputs), for stats and metrics.
struct FlowExporterCounters {
  std::string exporter;  ///< its address, or "other" for those past the cap
  std::uint64_t datagrams{};
  std::uint64_t records{};
  std::uint64_t sequence_gaps{};  ///< datagrams (sFlow, v9) or flows (v5, IPFIX) lost on the way
  std::uint64_t restarts{};       ///< sequence numbers that went backwards
  std::uint64_t no_template{};    ///< data sets whose template was not known yet
  std::uint64_t counter_samples{};
  std::uint32_t sampling_rate{};                                ///< the last rate seen, 0: none
  std::vector<std::pair<std::string, std::uint64_t>> rejected;  ///< datagrams by reason (non-zero only)
};

/// What an input has seen, for stats and metrics.
struct InputCounters {
  std::uint64_t events{};         ///< accepted events (lines with an address, IP packets)
  std::uint64_t rejected{};       ///< lines without an address, broken packets
  std::uint64_t non_ip{};         ///< captured frames without an IP address (ARP, LLDP, ...), not in rejected
  std::uint64_t oversized{};      ///< lines over the 64 KiB limit (also counted as rejected)
  std::uint64_t capture_drops{};  ///< packets the kernel or libpcap dropped (pcap_stats)
  std::uint64_t reopens{};        ///< rotations followed, FIFO writer changes, interface reopens
  InputState state;               ///< running, finished, error with why, ...
  std::uint64_t refused{};        ///< flow datagrams from outside flow-exporters (also in rejected)
  std::vector<FlowExporterCounters> exporters;  ///< flow inputs only, one per exporter (capped)
  // Set by the daemon, not the input:
  std::string name;  ///< NAME of --input NAME=SPEC, else the spec
  Counts counted;    ///< hits and bytes this input counted in the store (since start or reset)
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

/// What a kind of input is, from its row: whoever reports or checks inputs
/// (stats, metrics, --check-config, the mitigation's trust check, the
/// one-shot summary) asks this instead of reading the scheme.
struct InputTraits {
  bool frames = false;  ///< reads captured frames: counts packets, sees non-IP frames, takes a BPF filter
  bool flows = false;   ///< takes datagrams from exporters: exporters' counters, can be spoofed
  bool lossy = false;   ///< can lose packets before reading them (a kernel or socket buffer)
};

/// The traits of the kind `spec` names (all false for an unknown spec).
InputTraits input_traits(std::string_view spec);

/// What the pre-start check of an input may need beyond its spec.
struct InputCheckContext {
  bool daemon_running = false;  ///< a running daemon holds its own ports: "in use" is no problem
};

/// What a start would refuse of this input, found without starting it
/// (--check-config): empty when it would start.
std::vector<std::string> check_input(const std::string& spec, const InputCheckContext& context);

/// The link type a BPF filter is compiled for on this input (a capture
/// file's own, "any"'s cooked header, Ethernet), or -1 when it reads no frames.
int filter_link_type(const std::string& spec);

}  // namespace asncounter
