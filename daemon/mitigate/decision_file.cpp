#include "daemon/mitigate/decision_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/create_fresh.hpp"
#include "common/json_text.hpp"

namespace asncounter::mitigate {
namespace {

using nlohmann::json;

json to_json(const Decision& d) {
  json prefixes = json::array();
  for (const Prefix& p : d.prefixes) prefixes.push_back(to_string(p));
  return {{"id", d.id},
          {"target", target_text(d.target)},
          {"rule", d.rule},
          {"measure", d.measure},
          {"value", d.value},
          {"reason", d.reason},
          {"prefixes", prefixes},
          {"inputs", d.inputs},
          {"since", d.since},
          {"expires", d.expires},
          {"offence", d.offence},
          {"state", std::string(name_of(d.state))},
          {"refusal", d.refusal},
          {"dry_run", d.dry_run},
          {"packets_dropped", d.packets_dropped},
          {"bytes_dropped", d.bytes_dropped}};
}

std::optional<Decision> from_json(const json& j) {
  if (!j.is_object()) return std::nullopt;
  Decision d;
  auto target = parse_target(j.value("target", ""));
  auto state = parse_state(j.value("state", ""));
  if (!target || !state) return std::nullopt;
  d.target = *target;
  d.state = *state;
  d.id = j.value("id", std::uint64_t{0});
  d.rule = j.value("rule", "");
  d.measure = j.value("measure", "");
  d.value = j.value("value", std::uint64_t{0});
  d.reason = j.value("reason", "");
  for (const json& p : j.value("prefixes", json::array())) {
    if (!p.is_string()) return std::nullopt;
    auto prefix = parse_prefix(p.get<std::string>());
    if (!prefix) return std::nullopt;
    d.prefixes.push_back(*prefix);
  }
  for (const json& i : j.value("inputs", json::array()))
    if (i.is_string()) d.inputs.push_back(i.get<std::string>());
  d.since = j.value("since", std::int64_t{0});
  d.expires = j.value("expires", std::int64_t{0});
  d.offence = j.value("offence", std::uint32_t{1});
  d.refusal = j.value("refusal", "");
  d.dry_run = j.value("dry_run", false);
  d.packets_dropped = j.value("packets_dropped", std::uint64_t{0});
  d.bytes_dropped = j.value("bytes_dropped", std::uint64_t{0});
  return d;
}

}  // namespace

std::string decision_json_text(const Decision& d, std::int64_t now) {
  json j = to_json(d);
  j["remaining"] = d.state == State::active ? std::max<std::int64_t>(d.expires - now, 0) : 0;
  return compact_json(j);
}

std::string saved_text(const DecisionBook::Saved& saved) {
  json active = json::array(), recent = json::array();
  for (const Decision& d : saved.active) active.push_back(to_json(d));
  for (const Decision& d : saved.recent) recent.push_back(to_json(d));
  return compact_json(json{{"version", 1},
                           {"next_id", saved.next_id},
                           {"active", active},
                           {"recent", recent},
                           {"offences", saved.offences}}) +
         "\n";
}

Result<DecisionBook::Saved> parse_saved(std::string_view text) {
  json doc = json::parse(text.begin(), text.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || doc.value("version", 0) != 1)
    return Error{"not a version 1 decisions file"};
  try {
    DecisionBook::Saved saved;
    saved.next_id = doc.value("next_id", std::uint64_t{1});
    for (const json& j : doc.value("active", json::array())) {
      auto d = from_json(j);
      if (!d) return Error{"a decision cannot be read"};
      saved.active.push_back(std::move(*d));
    }
    for (const json& j : doc.value("recent", json::array())) {
      auto d = from_json(j);
      if (!d) return Error{"a decision cannot be read"};
      saved.recent.push_back(std::move(*d));
    }
    // A named object: items() of a temporary would outlive it.
    const json offences = doc.value("offences", json::object());
    for (const auto& [key, count] : offences.items())
      if (count.is_number_unsigned()) saved.offences[key] = count.get<std::uint32_t>();
    return saved;
  } catch (const json::exception& e) {
    // value() throws on a field of the wrong type.
    return Error{std::string("a field has the wrong type: ") + e.what()};
  }
}

std::string decisions_path(const std::string& state_dir) { return state_dir + "/mitigation.json"; }

Result<void> save_decisions(const std::string& state_dir, const DecisionBook::Saved& saved) {
  const std::string path = decisions_path(state_dir);
  const std::string tmp = path + ".tmp";
  const std::string body = saved_text(saved);
  UniqueFd fd = create_fresh(tmp, 0640);
  if (!fd) return Error{tmp + ": " + std::strerror(errno)};
  const char* p = body.data();
  std::size_t left = body.size();
  while (left > 0) {
    ssize_t n = ::write(fd.get(), p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::unlink(tmp.c_str());
      return Error{tmp + ": " + std::strerror(errno)};
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return Error{path + ": " + std::strerror(err)};
  }
  return {};
}

Result<DecisionBook::Saved> load_decisions(const std::string& state_dir) {
  const std::string path = decisions_path(state_dir);
  std::ifstream in(path);
  if (!in) return DecisionBook::Saved{};
  std::stringstream text;
  text << in.rdbuf();
  auto saved = parse_saved(text.str());
  if (!saved) return Error{path + ": " + saved.error()};
  return saved;
}

}  // namespace asncounter::mitigate
