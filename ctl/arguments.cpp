#include "ctl/arguments.hpp"

#include <array>
#include <utility>

#include "common/parse_number.hpp"

namespace asncounter::ctl {

bool looks_like_option(std::string_view word) noexcept { return word.size() > 1 && word.front() == '-'; }

std::optional<std::string> long_option_for(std::string_view short_option) {
  // The letters of head(1), watch(1), curl and ss, which is where hands go first.
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kHabits{{
      {"-n", "--limit"},
      {"-l", "--limit"},
      {"-w", "--watch"},
      {"-j", "--json"},
      {"-s", "--socket"},
      {"-t", "--timeout"},
  }};
  for (const auto& [short_form, long_form] : kHabits)
    if (short_option == short_form) return std::string(long_form);
  return std::nullopt;
}

std::string stray_words_message(const rpc::Method& m, const std::vector<std::string>& words) {
  std::string command(m.command);
  std::string why = m.required
                        ? command + " takes " + rpc::command_usage(m)
                        : command + " takes no arguments, not '" + (words.empty() ? "" : words[0]) + "'";
  if (words.size() != 1 || m.required) return why;
  // One number where an optional number parameter would take it: the flag was left out.
  const std::string& word = words[0];
  if (!parse_unsigned<std::uint64_t>(word)) return why;
  std::string meant;
  for (rpc::ParamId id : {rpc::ParamId::limit, rpc::ParamId::asn}) {
    if (!(m.params & rpc::param_bit(id))) continue;
    meant += std::string(meant.empty() ? "; did you mean '" : "' or '") + command + " --" +
             std::string(rpc::param(id).key) + " " + word;
  }
  return meant.empty() ? why : why + meant + "'?";
}

}  // namespace asncounter::ctl
