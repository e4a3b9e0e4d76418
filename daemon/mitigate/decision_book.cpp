#include "daemon/mitigate/decision_book.hpp"

#include <algorithm>

namespace asncounter::mitigate {
namespace {

// base × 2^(offence − 1), capped; an offence count that would overflow is the cap.
std::chrono::seconds ban_length(std::chrono::seconds base, std::uint32_t offence, std::chrono::seconds cap) {
  std::chrono::seconds length = base;
  for (std::uint32_t i = 1; i < offence && length < cap; ++i) length *= 2;
  return std::min(length, cap);
}

}  // namespace

std::string DecisionBook::why_refused(const Proposal& p) const {
  if (p.target.asn && allow_.allows_asn(*p.target.asn)) return "allow-listed (mitigate-allow)";
  if (p.origin && allow_.allows_asn(*p.origin))
    return "its origin AS" + std::to_string(*p.origin) + " is allow-listed (mitigate-allow)";
  for (const Prefix& covered : p.prefixes) {
    if (auto allowed = allow_.overlapping(covered))
      return "covers " + to_string(covered) + ", which overlaps allow-listed " + to_string(*allowed) +
             " (mitigate-allow)";
  }
  if (p.prefixes.empty()) return "no address space of its own (unrouted, or all of it announced by others)";
  if (!p.dry_run && blocked_prefixes() + p.prefixes.size() > limits_.max_prefixes)
    return "would block " + std::to_string(blocked_prefixes() + p.prefixes.size()) +
           " prefixes, over mitigate-max-prefixes (" + std::to_string(limits_.max_prefixes) + ")";
  return "";
}

const Decision* DecisionBook::decide(const Proposal& p, std::int64_t now) {
  const std::string key = target_text(p.target);
  for (const Decision& d : active_)
    if (d.target == p.target) return nullptr;
  Decision d;
  d.target = p.target;
  d.rule = p.rule;
  d.measure = p.measure;
  d.value = p.value;
  d.reason = p.reason;
  d.prefixes = p.prefixes;
  d.inputs = p.inputs;
  d.since = now;
  d.dry_run = p.dry_run;
  ++by_rule_[p.rule];
  if (std::string why = why_refused(p); !why.empty()) {
    auto quiet = quiet_refusal_.find(key);
    if (quiet != quiet_refusal_.end() && quiet->second > now) {
      --by_rule_[p.rule];
      return nullptr;
    }
    quiet_refusal_[key] = now + std::max<std::int64_t>(p.ban.count(), 1);
    d.state = State::refused;
    d.refusal = std::move(why);
    d.id = next_id_++;
    retire(d);
    return &recent_.back();
  }
  quiet_refusal_.erase(key);
  d.offence = ++offences_[key];
  d.expires = now + ban_length(p.ban, d.offence, limits_.max_ban).count();
  return &record(std::move(d));
}

const Decision& DecisionBook::record(Decision d) {
  d.id = next_id_++;
  active_.push_back(std::move(d));
  return active_.back();
}

void DecisionBook::retire(Decision d) {
  recent_.push_back(std::move(d));
  while (recent_.size() > limits_.recent) recent_.pop_front();
}

std::vector<Decision> DecisionBook::expire(std::int64_t now) {
  std::vector<Decision> ended;
  auto it = std::stable_partition(active_.begin(), active_.end(),
                                  [&](const Decision& d) { return d.expires > now; });
  for (auto e = it; e != active_.end(); ++e) {
    e->state = State::expired;
    ended.push_back(*e);
    retire(std::move(*e));
  }
  active_.erase(it, active_.end());
  return ended;
}

bool DecisionBook::unban(const Target& target, std::int64_t now) {
  auto it =
      std::find_if(active_.begin(), active_.end(), [&](const Decision& d) { return d.target == target; });
  if (it == active_.end()) return false;
  it->state = State::removed;
  it->expires = now;
  retire(std::move(*it));
  active_.erase(it);
  return true;
}

void DecisionBook::remove_all(std::int64_t now) {
  for (Decision& d : active_) {
    d.state = State::removed;
    d.expires = now;
    retire(std::move(d));
  }
  active_.clear();
}

std::size_t DecisionBook::blocked_prefixes() const {
  std::size_t n = 0;
  for (const Decision& d : active_)
    if (!d.dry_run) n += d.prefixes.size();
  return n;
}

std::vector<Element> DecisionBook::elements() const {
  std::vector<Element> all;
  for (const Decision& d : active_) {
    if (d.dry_run) continue;
    for (const Prefix& p : d.prefixes) all.push_back({p, d.expires});
  }
  // Sorted by address then length, a prefix's container (if any is banned)
  // is the last kept element before it that covers it.
  std::sort(all.begin(), all.end(), [](const Element& a, const Element& b) { return a.prefix < b.prefix; });
  std::vector<Element> out;
  for (const Element& e : all) {
    if (!out.empty() && covers(out.back().prefix, e.prefix)) {
      out.back().expires = std::max(out.back().expires, e.expires);
      continue;
    }
    out.push_back(e);
  }
  return out;
}

void DecisionBook::set_dropped(std::uint64_t id, std::uint64_t packets, std::uint64_t bytes) {
  for (Decision& d : active_) {
    if (d.id != id) continue;
    d.packets_dropped = packets;
    d.bytes_dropped = bytes;
  }
}

DecisionBook::Saved DecisionBook::save() const {
  return Saved{next_id_, active_, std::vector<Decision>(recent_.begin(), recent_.end()), offences_};
}

void DecisionBook::restore(Saved saved, std::int64_t now) {
  next_id_ = std::max(next_id_, saved.next_id);
  offences_ = std::move(saved.offences);
  for (Decision& d : saved.recent) retire(std::move(d));
  for (Decision& d : saved.active) {
    d.state = State::active;
    active_.push_back(std::move(d));
  }
  (void)expire(now);  // the downtime may have ended some; they go to the recent ones as expired
}

}  // namespace asncounter::mitigate
