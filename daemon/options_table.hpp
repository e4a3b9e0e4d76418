#pragma once
// The one declaration of every daemon option (name, Options member, help,
// where it may be given). Command line, config file, --help, the default
// config and validation are all generated from it.

#include <span>
#include <string>
#include <variant>
#include <vector>

#include "daemon/options.hpp"

namespace asncounter {

/// Which Options member an option sets (its type follows).
using OptionMember = std::variant<std::string Options::*, unsigned Options::*, bool Options::*,
                                  std::vector<std::string> Options::*>;

/// One option.
struct OptionDecl {
  const char* name;     ///< long option and config key
  OptionMember member;  ///< where the value goes
  const char* arg;      ///< argument name for --help ("FILE"); "" for a switch
  const char* help;     ///< one line
  bool cli_only;        ///< not a config-file key (--config, --check-config)
  /// Checks a value beyond its type; returns an error text or "".
  std::string (*check)(const Options&) = nullptr;
};

/// Every option, in --help and config-file order.
std::span<const OptionDecl> option_decls();
/// The declaration of `name`, or nullptr.
const OptionDecl* find_option(const std::string& name);
/// The default of an option as config-file text ("" for none).
std::string default_text(const OptionDecl& d);

}  // namespace asncounter
