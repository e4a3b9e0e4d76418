#include "ctl/confirm.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <istream>
#include <ostream>

#include "common/trim.hpp"

namespace asncounter::ctl {

bool stdin_is_terminal() { return ::isatty(STDIN_FILENO) == 1; }

bool confirmed(std::istream& in, std::ostream& err, const std::string& question) {
  err << "asncounterctl: " << question << " [y/N] " << std::flush;
  std::string line;
  if (!std::getline(in, line)) return false;
  std::string answer(text::trim(line));
  std::transform(answer.begin(), answer.end(), answer.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return answer == "y" || answer == "yes";
}

}  // namespace asncounter::ctl
