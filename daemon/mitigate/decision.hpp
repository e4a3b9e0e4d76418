#pragma once
// What the mitigation decides: whom it bans (an ASN or a prefix), the address
// space that covers, for how long and why; or why it refused to.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ip.hpp"

namespace asncounter::mitigate {

/// An ASN or one prefix.
struct Target {
  std::optional<std::uint32_t> asn;  ///< set for an ASN target
  std::optional<Prefix> prefix;      ///< set for a prefix target
  friend bool operator==(const Target&, const Target&) = default;
};

/// "AS64496" or "192.0.2.0/24".
std::string target_text(const Target& t);
/// "AS64496", "as64496" or a prefix; nullopt otherwise.
std::optional<Target> parse_target(std::string_view text);

/// Where a decision stands.
enum class State : std::uint8_t {
  active,   ///< banned now (or, in dry-run, would be)
  expired,  ///< its time ran out
  removed,  ///< unbanned by hand, or gone at a mode change
  refused,  ///< never banned: the allow list, the prefix cap, nothing left after carving
};
std::string_view name_of(State s);
std::optional<State> parse_state(std::string_view s);

struct Decision {
  std::uint64_t id{};
  Target target;
  std::string rule;                 ///< the rule's text, or "manual"
  std::string measure;              ///< "hits", "bytes", "share" or "" (manual)
  std::uint64_t value{};            ///< what the rule measured (share: hundredths of a percent)
  std::string reason;               ///< a manual ban's reason
  std::vector<Prefix> prefixes;     ///< the address space it covers (carved)
  std::vector<std::string> inputs;  ///< the inputs whose counts were behind it
  std::int64_t since{};             ///< Unix seconds
  std::int64_t expires{};           ///< Unix seconds (refused: 0)
  std::uint32_t offence{1};         ///< 1 for a first ban; the ban doubles with each
  State state = State::active;
  std::string refusal;  ///< why it was refused
  bool dry_run{};       ///< decided in dry-run: the kernel was not touched
  std::uint64_t packets_dropped{};
  std::uint64_t bytes_dropped{};
};

/// One kernel set element: a prefix banned until `expires` (Unix seconds).
struct Element {
  Prefix prefix;
  std::int64_t expires{};
  friend bool operator==(const Element&, const Element&) = default;
};

}  // namespace asncounter::mitigate
