#pragma once
// The mitigation as the daemon runs it (docs/mitigation.md): on each history
// step (the history clock's thread, off the event loop) the rules read the
// store's windows, the decision book rules on what they propose, the kernel
// is made to match in one transaction, its counters are read back and the
// book is saved. Admins ban and unban by hand through the same book.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "daemon/mitigate/decision_book.hpp"
#include "daemon/mitigate/evaluate.hpp"
#include "daemon/mitigate/nft_backend.hpp"
#include "daemon/mitigate/rule.hpp"
#include "daemon/store/history_config.hpp"

namespace asncounter {
class CounterStore;
class LpmTable;
}  // namespace asncounter

namespace asncounter::mitigate {

enum class Mode : std::uint8_t { off, dry_run, enforce };
std::string_view name_of(Mode m);

struct MitigationConfig {
  Mode mode = Mode::off;
  std::vector<Rule> rules;
  AllowList allow;
  BookLimits limits;
  std::string table = "asncounter";
  std::vector<std::string> hooks{"input"};
  std::vector<std::string> inputs;  ///< named in each decision
  std::string state_dir;
};

/// What the metrics show.
struct MitigationMetrics {
  std::map<std::string, std::uint64_t> decisions_by_rule;
  std::size_t active_bans{};
  std::size_t prefixes_blocked{};
  std::uint64_t packets_dropped{};
  std::uint64_t bytes_dropped{};
};

class Mitigation {
 public:
  /// Restores the saved decisions and, in enforce mode, opens nftables and
  /// puts the active bans back with their remaining time.
  static Result<std::unique_ptr<Mitigation>> start(MitigationConfig config, CounterStore& store,
                                                   std::int64_t now);
  ~Mitigation();
  Mitigation(const Mitigation&) = delete;
  Mitigation& operator=(const Mitigation&) = delete;

  /// One history step closed at `mono` (wall time `now`): evaluate, decide, apply.
  void on_step(MonoTime mono, std::int64_t now);
  /// A reload: new rules, limits, allow list and mode. Mode off removes the
  /// table; enforce opens nftables first (the error keeps the old config).
  Result<void> reconfigure(MitigationConfig config, std::int64_t now);

  /// The `decisions` answer: {"mode", "table", "active": [...], "recent": [...]}.
  std::string decisions_json(std::int64_t now);
  /// A ban by hand (the allow list and carving apply): the decision's JSON, or why not.
  Result<std::string> ban(std::string_view target, std::chrono::seconds length, std::string reason,
                          std::int64_t now);
  /// Ends a ban by hand.
  Result<std::string> unban(std::string_view target, std::int64_t now);
  MitigationMetrics metrics();

 private:
  Mitigation(MitigationConfig config, CounterStore& store);
  Proposal proposal_for(const Candidate& c, const LpmTable& table) const;
  void log_decision(const Decision& d) const;
  /// Makes the kernel match the book, reads its counters, saves the book. Under mutex_.
  void apply(std::int64_t now, bool changed);

  std::mutex mutex_;
  MitigationConfig config_;
  CounterStore& store_;
  DecisionBook book_;
  std::unique_ptr<NftBackend> nft_;  // null unless enforcing
  std::uint64_t packets_dropped_{};
  std::uint64_t bytes_dropped_{};
};

}  // namespace asncounter::mitigate
