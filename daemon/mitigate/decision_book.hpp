#pragma once
// The decision book: every ban in force and the recent past, and the safety
// rules a ban must pass (docs/mitigation.md "Safety"): the allow list, the
// cap on prefixes blocked at once, nothing of the target's own left after
// carving. Repeat offenders get doubled bans, capped by mitigate-max-ban.
// Plain data and logic: time comes in as Unix seconds, so tests drive it.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "daemon/mitigate/allow_list.hpp"
#include "daemon/mitigate/decision.hpp"

namespace asncounter::mitigate {

struct BookLimits {
  std::size_t max_prefixes = 1000;      ///< mitigate-max-prefixes
  std::chrono::seconds max_ban{86400};  ///< mitigate-max-ban
  std::size_t recent = 256;             ///< ended and refused decisions kept for `decisions`
};

/// What a rule (or an admin) proposes to ban.
struct Proposal {
  Target target;
  std::optional<std::uint32_t> origin;  ///< the ASN of a prefix target, for the allow list
  std::string rule;                     ///< the rule's text, or "manual"
  std::string measure;
  std::uint64_t value{};
  std::string reason;
  std::chrono::seconds ban{};    ///< a first offence's length
  std::vector<Prefix> prefixes;  ///< the carved address space it would cover
  std::vector<std::string> inputs;
  bool dry_run{};
};

class DecisionBook {
 public:
  DecisionBook(BookLimits limits, AllowList allow) : limits_(limits), allow_(std::move(allow)) {}

  /// Bans or refuses `p` at `now`. Returns the new decision, or nullptr when
  /// the target is banned already or the same refusal was recorded within
  /// its ban length (a flood is not a flood of refusals).
  const Decision* decide(const Proposal& p, std::int64_t now);
  /// Ends the bans whose time is up at `now`; returns them.
  std::vector<Decision> expire(std::int64_t now);
  /// Ends `target`'s ban now; false when it has none.
  bool unban(const Target& target, std::int64_t now);
  /// Ends every ban (mode off): they move to the recent ones as removed.
  void remove_all(std::int64_t now);

  /// The bans in force, oldest first.
  const std::vector<Decision>& active() const { return active_; }
  /// Ended and refused decisions, newest last.
  const std::deque<Decision>& recent() const { return recent_; }
  /// The prefixes the active bans cover.
  std::size_t blocked_prefixes() const;
  /// What the kernel sets should hold: every covered prefix, one element
  /// each (a prefix inside another's is folded into it, the later expiry
  /// kept), family by family, sorted. Dry-run decisions are left out.
  std::vector<Element> elements() const;
  /// Decisions ever made (bans and refusals), by rule text, for the metrics.
  const std::map<std::string, std::uint64_t>& decided_by_rule() const { return by_rule_; }

  void set_limits(BookLimits limits) { limits_ = limits; }
  void set_allow(AllowList allow) { allow_ = std::move(allow); }
  /// Sets a decision's drop counters (from the kernel); by id.
  void set_dropped(std::uint64_t id, std::uint64_t packets, std::uint64_t bytes);

  /// For the state file: everything, and the offence counts.
  struct Saved {
    std::uint64_t next_id = 1;
    std::vector<Decision> active;
    std::vector<Decision> recent;
    std::map<std::string, std::uint32_t> offences;
  };
  Saved save() const;
  /// Puts saved decisions back; those ended by `now` go to the recent ones.
  void restore(Saved saved, std::int64_t now);

 private:
  const Decision& record(Decision d);
  void retire(Decision d);
  std::string why_refused(const Proposal& p) const;

  BookLimits limits_;
  AllowList allow_;
  std::uint64_t next_id_ = 1;
  std::vector<Decision> active_;
  std::deque<Decision> recent_;
  std::map<std::string, std::uint32_t> offences_;      // by target text: bans so far
  std::map<std::string, std::int64_t> quiet_refusal_;  // by target text: refusals not repeated before
  std::map<std::string, std::uint64_t> by_rule_;
};

}  // namespace asncounter::mitigate
