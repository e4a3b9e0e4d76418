#pragma once
// Strict arguments: what asncounterctl says about a word it cannot use. Every
// unknown option and every stray word is a usage error that names it and,
// when one is near, the option or form the user probably meant ("top 5":
// did you mean 'top --limit 5'?). Said once here, so each command refuses
// the same way.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/rpc.hpp"

namespace asncounter::ctl {

/// True for a word that is an option ("-n", "--limit"), not an argument
/// ("-" alone is an argument: stdin or stdout).
bool looks_like_option(std::string_view word) noexcept;

/// The long option a short one people type by habit stands for: "-n" and
/// "-l" are --limit, "-w" --watch, "-j" --json, "-s" --socket, "-t"
/// --timeout; nullopt for any other.
std::optional<std::string> long_option_for(std::string_view short_option);

/// Why the words after method `m` cannot be its arguments, with the form
/// meant when one is near ("top takes no arguments; did you mean 'top
/// --limit 5'?"); `words` holds what is left after its required parameters.
std::string stray_words_message(const rpc::Method& m, const std::vector<std::string>& words);

}  // namespace asncounter::ctl
