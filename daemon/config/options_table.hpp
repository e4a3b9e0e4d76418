#pragma once
// The one declaration of every daemon option (name, Options member, help,
// where it may be given, whether a reload applies it, its range). Command
// line, config file, --help, the default config, validation and reload are
// all generated from it.

#include <array>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "daemon/config/options.hpp"

namespace asncounter {

/// An enum option: its names (indexed by value) and how to read and set it.
struct EnumOption {
  std::span<const std::string_view> names;  ///< the accepted values, in enum order
  unsigned (*get)(const Options&);          ///< the value as its index in `names`
  void (*set)(Options&, unsigned);          ///< sets it from an index in `names`
};

/// The EnumOption of an enum member `M` named by `names`.
template <auto M, std::size_t N>
constexpr EnumOption enum_option(const std::array<std::string_view, N>& names) {
  using E = std::remove_reference_t<decltype(std::declval<Options&>().*M)>;
  return {names, [](const Options& o) { return static_cast<unsigned>(o.*M); },
          [](Options& o, unsigned i) { o.*M = static_cast<E>(i); }};
}

/// A duration option: seconds in an unsigned member, written as seconds or
/// with a unit (10s, 5m, 1h, 1d) on the command line and in the file.
struct DurationOption {
  unsigned Options::*seconds;  ///< where the seconds go
};

/// Which Options member an option sets (its type follows).
using OptionMember = std::variant<std::string Options::*, unsigned Options::*, bool Options::*,
                                  std::vector<std::string> Options::*, EnumOption, DurationOption>;

/// What a reload (SIGHUP, the `reload` request) does with a changed value.
enum class Reload : std::uint8_t {
  applies,  ///< taken at once
  restart,  ///< kept until a restart (the reload warns "KEY: needs a restart")
};

/// The values an unsigned option accepts.
struct Range {
  unsigned min = 0;
  unsigned max = UINT_MAX;
};

/// One option.
struct OptionDecl {
  const char* name;     ///< long option and config key
  OptionMember member;  ///< where the value goes
  const char* arg;      ///< argument name for --help ("FILE"); "" for a switch
  const char* help;     ///< one line (an enum's names are appended)
  bool cli_only;        ///< not a config-file key (--config, --check-config)
  Reload reload;        ///< whether a reload applies a new value
  Range range = {};     ///< unsigned and duration options only
  /// Checks a value beyond its type and range; returns an error text or "".
  std::string (*check)(const Options&) = nullptr;
};

/// Every option, in --help and config-file order.
std::span<const OptionDecl> option_decls();
/// The declaration of `name`, or nullptr.
const OptionDecl* find_option(const std::string& name);
/// The default of an option as config-file text ("" for none).
std::string default_text(const OptionDecl& d);
/// The help of an option with an enum's names appended.
std::string help_text(const OptionDecl& d);
/// What is wrong with the value `o` holds for `d` (range, then check), or "".
std::string check_value(const OptionDecl& d, const Options& o);

}  // namespace asncounter
