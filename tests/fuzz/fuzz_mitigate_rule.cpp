// Fuzz target: the mitigation rule parser (mitigate = ... from the config
// file or a reload) and the decisions file a restart reads back. Neither may
// crash; an accepted rule must print back to a rule that parses the same.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "daemon/mitigate/decision_file.hpp"
#include "daemon/mitigate/rule.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto rule = asncounter::mitigate::parse_rule(text, std::chrono::seconds(86400));
  if (rule) {
    auto again = asncounter::mitigate::parse_rule(rule->text, std::chrono::seconds(86400));
    if (!again || again->text != rule->text || again->threshold != rule->threshold ||
        again->ban != rule->ban || again->window != rule->window || rule->ban.count() <= 0 ||
        rule->window.count() <= 0)
      __builtin_trap();
  } else if (!rule.error().starts_with("column ")) {
    __builtin_trap();
  }
  (void)asncounter::mitigate::parse_saved(text);
  return 0;
}
