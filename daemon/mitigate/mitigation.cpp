#include "daemon/mitigate/mitigation.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "common/json_text.hpp"
#include "common/table/carve.hpp"
#include "daemon/mitigate/decision_file.hpp"
#include "daemon/store/counter_store.hpp"
#include "daemon/sys/log.hpp"

namespace asncounter::mitigate {
namespace {

using nlohmann::json;

std::string value_text(const std::string& measure, std::uint64_t value) {
  if (measure == "share")
    return std::to_string(value / 100) + "." + std::to_string(value / 10 % 10) + std::to_string(value % 10) +
           "%";
  return std::to_string(value) + (measure.empty() ? "" : " " + measure);
}

}  // namespace

std::string_view name_of(Mode m) {
  switch (m) {
    case Mode::off:
      return "off";
    case Mode::dry_run:
      return "dry-run";
    case Mode::enforce:
      return "enforce";
  }
  return "off";
}

Mitigation::Mitigation(MitigationConfig config, CounterStore& store)
    : config_(std::move(config)), store_(store), book_(config_.limits, config_.allow) {}

Mitigation::~Mitigation() = default;

Result<std::unique_ptr<Mitigation>> Mitigation::start(MitigationConfig config, CounterStore& store,
                                                      std::int64_t now) {
  auto logger = log::get("mitigate");
  std::unique_ptr<Mitigation> m(new Mitigation(std::move(config), store));
  auto saved = load_decisions(m->config_.state_dir);
  if (!saved) return Error{saved.error()};
  m->book_.restore(std::move(*saved), now);
  if (m->config_.mode == Mode::enforce) {
    auto nft = NftBackend::open(m->config_.table, m->config_.hooks);
    if (!nft) return Error{nft.error()};
    m->nft_ = std::move(*nft);
  }
  std::lock_guard lock(m->mutex_);
  m->apply(now, true);
  logger->info("mitigation {}: {} rules, {} active bans", name_of(m->config_.mode), m->config_.rules.size(),
               m->book_.active().size());
  return m;
}

Proposal Mitigation::proposal_for(const Candidate& c, const LpmTable& table) const {
  Proposal p;
  p.target = c.target;
  p.origin = c.origin;
  p.rule = c.rule->text;
  p.measure = std::string(name_of(c.rule->measure));
  p.value = c.value;
  p.ban = c.rule->ban;
  p.inputs = config_.inputs;
  p.dry_run = config_.mode != Mode::enforce;
  p.prefixes = c.target.asn ? carved_asn_space(table, *c.target.asn)
                            : carved_prefix_space(table, *c.target.prefix, c.origin.value_or(0));
  return p;
}

void Mitigation::log_decision(const Decision& d) const {
  // One line per decision, its fields as key=value, so journald and grep both find them.
  std::string prefixes;
  for (const Prefix& p : d.prefixes) prefixes.append(prefixes.empty() ? "" : ",").append(to_string(p));
  std::string inputs;
  for (const auto& i : d.inputs) inputs.append(inputs.empty() ? "" : ",").append(i);
  log::get("mitigate")
      ->warn(
          "decision id={} target={} state={} mode={} rule=\"{}\" value=\"{}\" prefixes={} since={} "
          "expires={} "
          "offence={} inputs={} reason=\"{}\" refusal=\"{}\"",
          d.id, target_text(d.target), name_of(d.state), d.dry_run ? "dry-run" : "enforce", d.rule,
          value_text(d.measure, d.value), prefixes.empty() ? "-" : prefixes, d.since, d.expires, d.offence,
          inputs.empty() ? "-" : inputs, d.reason, d.refusal);
}

void Mitigation::on_step(MonoTime mono, std::int64_t now) {
  if (config_.mode == Mode::off) return;
  std::vector<Candidate> candidates;
  std::vector<Rule> rules;
  std::size_t max_prefixes = 0;
  {
    std::lock_guard lock(mutex_);
    rules = config_.rules;
    max_prefixes = config_.limits.max_prefixes;
  }
  // One row more than the cap: a rule over it still shows one refusal.
  candidates = evaluate(rules, store_, mono, max_prefixes + 1);
  auto table = store_.table();
  std::lock_guard lock(mutex_);
  bool changed = false;
  for (const Decision& d : book_.expire(now)) {
    log_decision(d);
    changed = true;
  }
  for (const Candidate& c : candidates) {
    // The rule's pointer is into `rules`, our copy: valid for this step.
    if (const Decision* d = book_.decide(proposal_for(c, *table), now)) {
      log_decision(*d);
      changed = true;
    }
  }
  apply(now, changed);
}

void Mitigation::apply(std::int64_t now, bool changed) {
  auto logger = log::get("mitigate");
  if (nft_) {
    auto synced = nft_->sync(book_.elements(), now);
    if (!synced) {
      logger->error("cannot update nftables table {}: {}", config_.table, synced.error());
    } else if (!synced->repair.empty()) {
      logger->warn("nftables table {} repaired: {}", config_.table, synced->repair);
    }
    if (auto view = nft_->read(); view) {
      packets_dropped_ = view->packets_dropped;
      bytes_dropped_ = view->bytes_dropped;
      std::map<Prefix, const KernelElement*> by_prefix;
      for (const KernelElement& k : view->elements) by_prefix[k.prefix] = &k;
      for (const Decision& d : book_.active()) {
        std::uint64_t packets = 0, bytes = 0;
        for (const Prefix& p : d.prefixes) {
          if (auto it = by_prefix.find(p); it != by_prefix.end()) {
            packets += it->second->packets;
            bytes += it->second->bytes;
          }
        }
        book_.set_dropped(d.id, packets, bytes);
      }
    }
  }
  if (changed) {
    if (auto saved = save_decisions(config_.state_dir, book_.save()); !saved)
      logger->error("cannot save the decisions: {}", saved.error());
  }
}

Result<void> Mitigation::reconfigure(MitigationConfig config, std::int64_t now) {
  std::unique_ptr<NftBackend> nft;
  if (config.mode == Mode::enforce) {
    if (nft_ && config.table == config_.table && config.hooks == config_.hooks) {
      // The same table: keep the context (and what it knows it applied).
    } else {
      auto opened = NftBackend::open(config.table, config.hooks);
      if (!opened) return Error{opened.error()};
      nft = std::move(*opened);
    }
  }
  std::lock_guard lock(mutex_);
  if (nft_ && (config.mode != Mode::enforce || nft)) {
    if (auto removed = nft_->remove(); !removed)
      log::get("mitigate")->error("cannot remove nftables table {}: {}", config_.table, removed.error());
    nft_.reset();
  }
  if (nft) nft_ = std::move(nft);
  // Bans of one mode mean nothing in another: dry-run ones were never in the kernel.
  if (config.mode != config_.mode) book_.remove_all(now);
  config_ = std::move(config);
  book_.set_limits(config_.limits);
  book_.set_allow(config_.allow);
  apply(now, true);
  return {};
}

std::string Mitigation::decisions_json(std::int64_t now) {
  std::lock_guard lock(mutex_);
  std::string out = "{\"mode\":\"" + std::string(name_of(config_.mode)) +
                    "\",\"table\":" + compact_json(json(config_.table)) + ",\"now\":" + std::to_string(now) +
                    ",\"active\":[";
  bool first = true;
  for (const Decision& d : book_.active()) {
    out += (first ? "" : ",") + decision_json_text(d, now);
    first = false;
  }
  out += "],\"recent\":[";
  first = true;
  // Newest first: what an operator looks for.
  for (auto it = book_.recent().rbegin(); it != book_.recent().rend(); ++it) {
    out += (first ? "" : ",") + decision_json_text(*it, now);
    first = false;
  }
  out += "],\"packets_dropped\":" + std::to_string(packets_dropped_) +
         ",\"bytes_dropped\":" + std::to_string(bytes_dropped_) + "}";
  return out;
}

Result<std::string> Mitigation::ban(std::string_view target_text_in, std::chrono::seconds length,
                                    std::string reason, std::int64_t now) {
  auto target = parse_target(target_text_in);
  if (!target)
    return Error{"not an ASN (AS64496) or a prefix (192.0.2.0/24): " + std::string(target_text_in)};
  if (length.count() <= 0) return Error{"a ban needs a positive duration"};
  auto table = store_.table();
  Proposal p;
  p.target = *target;
  p.rule = "manual";
  p.reason = std::move(reason);
  p.ban = length;
  p.inputs = {};
  std::lock_guard lock(mutex_);
  if (config_.mode == Mode::off) return Error{"mitigate-mode is off: nothing is banned"};
  p.dry_run = config_.mode != Mode::enforce;
  if (target->asn) {
    p.origin = target->asn;
    p.prefixes = carved_asn_space(*table, *target->asn);
  } else {
    // The prefix's origin is the route that holds it whole; none: nothing of one ASN to ban.
    auto match = table->lookup(target->prefix->addr);
    if (match && match->prefix.len <= target->prefix->len) {
      p.origin = match->asn;
      p.prefixes = carved_prefix_space(*table, *target->prefix, match->asn);
    }
  }
  // A ban by hand is never quietly dropped: a repeated refusal is answered too.
  const Decision* d = book_.decide(p, now);
  if (!d) return Error{target_text(*target) + " is banned already, or was just refused"};
  log_decision(*d);
  apply(now, true);
  if (d->state == State::refused) return Error{"refused: " + d->refusal};
  return decision_json_text(*d, now);
}

Result<std::string> Mitigation::unban(std::string_view target_text_in, std::int64_t now) {
  auto target = parse_target(target_text_in);
  if (!target)
    return Error{"not an ASN (AS64496) or a prefix (192.0.2.0/24): " + std::string(target_text_in)};
  std::lock_guard lock(mutex_);
  if (!book_.unban(*target, now)) return Error{target_text(*target) + " is not banned"};
  log_decision(book_.recent().back());
  apply(now, true);
  return decision_json_text(book_.recent().back(), now);
}

MitigationMetrics Mitigation::metrics() {
  std::lock_guard lock(mutex_);
  MitigationMetrics m;
  m.decisions_by_rule = book_.decided_by_rule();
  for (const Rule& r : config_.rules) m.decisions_by_rule.try_emplace(r.text, 0);
  m.active_bans = book_.active().size();
  m.prefixes_blocked = book_.blocked_prefixes();
  m.packets_dropped = packets_dropped_;
  m.bytes_dropped = bytes_dropped_;
  return m;
}

}  // namespace asncounter::mitigate
