#include "daemon/config/mitigate_options.hpp"

#include <algorithm>
#include <cctype>

#include "daemon/config/options.hpp"
#include "daemon/input/flow/flow_input.hpp"

namespace asncounter::mitigate {

Result<Mode> effective_mode(const Options& o) {
  if (o.mitigate_mode.empty()) return o.mitigate.empty() ? Mode::off : Mode::dry_run;
  if (o.mitigate_mode == "off") return Mode::off;
  if (o.mitigate_mode == "dry-run") return Mode::dry_run;
  if (o.mitigate_mode == "enforce") return Mode::enforce;
  return Error{"must be off, dry-run or enforce, not '" + o.mitigate_mode + "'"};
}

Result<std::vector<std::string>> parse_hooks(const std::string& text) {
  std::vector<std::string> hooks;
  std::size_t i = 0;
  while (i <= text.size()) {
    std::size_t comma = text.find(',', i);
    std::string word = text.substr(i, comma == std::string::npos ? std::string::npos : comma - i);
    while (!word.empty() && word.front() == ' ') word.erase(0, 1);
    while (!word.empty() && word.back() == ' ') word.pop_back();
    if (word != "input" && word != "forward")
      return Error{"takes input, forward or both (input,forward), not '" + word + "'"};
    if (std::find(hooks.begin(), hooks.end(), word) == hooks.end()) hooks.push_back(word);
    if (comma == std::string::npos) break;
    i = comma + 1;
  }
  return hooks;
}

std::string spoofable_input(const Options& o) {
  // The store sums every input together, so one input anyone can send to
  // (flows with 0.0.0.0/0 or ::/0 among the exporters) could make the rules
  // ban whom it names. Empty means this host only (docs/flows.md): trusted.
  auto exporters = parse_exporter_list(o.flow_exporters);
  const bool anyone = exporters && std::any_of(exporters->begin(), exporters->end(),
                                               [](const Prefix& p) { return p.len == 0; });
  if (!anyone) return "";
  for (const std::string& spec : o.inputs)
    if (input_traits(spec).flows) return spec;
  return "";
}

std::string check_rules(const Options& o) {
  auto rules = parse_rules(o.mitigate, std::chrono::seconds(o.history_span));
  if (!rules) return rules.error();
  auto mode = effective_mode(o);
  if (mode && *mode != Mode::off && !o.mitigate.empty()) {
    if (std::string input = spoofable_input(o); !input.empty())
      return "input " + input +
             " accepts flows from any address (flow-exporters holds a /0), so its counts can be forged; "
             "rules act only on trusted inputs: name the exporters in flow-exporters, or mitigate-mode = off";
  }
  return "";
}

std::string check_mode(const Options& o) {
  auto mode = effective_mode(o);
  return mode ? "" : mode.error();
}

std::string check_allow(const Options& o) {
  auto allow = AllowList::parse(o.mitigate_allow);
  return allow ? "" : allow.error();
}

std::string check_hooks(const Options& o) {
  auto hooks = parse_hooks(o.mitigate_hooks);
  return hooks ? "" : hooks.error();
}

std::string check_table(const Options& o) {
  const std::string& t = o.mitigate_table;
  bool ok = !t.empty() && t.size() <= 64 && std::isalpha(static_cast<unsigned char>(t[0]));
  for (char c : t) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  return ok ? "" : "must be a name of letters, digits and _ (at most 64), starting with a letter";
}

Result<MitigationConfig> mitigation_config(const Options& o) {
  MitigationConfig c;
  auto mode = effective_mode(o);
  if (!mode) return Error{mode.error()};
  c.mode = *mode;
  auto rules = parse_rules(o.mitigate, std::chrono::seconds(o.history_span));
  if (!rules) return Error{rules.error()};
  c.rules = std::move(*rules);
  auto allow = AllowList::parse(o.mitigate_allow);
  if (!allow) return Error{"mitigate-allow: " + allow.error()};
  c.allow = std::move(*allow);
  c.limits.max_prefixes = o.mitigate_max_prefixes;
  c.limits.max_ban = std::chrono::seconds(o.mitigate_max_ban);
  auto hooks = parse_hooks(o.mitigate_hooks);
  if (!hooks) return Error{hooks.error()};
  c.hooks = std::move(*hooks);
  c.table = o.mitigate_table;
  c.inputs = o.inputs;
  c.state_dir = o.state_dir;
  return c;
}

}  // namespace asncounter::mitigate
