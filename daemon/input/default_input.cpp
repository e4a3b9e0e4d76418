#include "daemon/input/default_input.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include "daemon/input/input.hpp"

namespace asncounter {

StdinKind stdin_kind(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return StdinKind::none;
  if (S_ISFIFO(st.st_mode) || S_ISREG(st.st_mode) || S_ISSOCK(st.st_mode)) return StdinKind::data;
  if (::isatty(fd)) return StdinKind::terminal;
  // /dev/null and any other device: nothing a daemon should read.
  return StdinKind::none;
}

std::vector<std::string> daemon_inputs(const std::vector<std::string>& configured, StdinKind stdin_is) {
  if (configured.empty() && stdin_is == StdinKind::data) return {"-"};
  return configured;
}

std::string no_input_warning(const std::vector<std::string>& inputs, StdinKind stdin_is) {
  if (!inputs.empty()) return "";
  std::string where = stdin_is == StdinKind::terminal ? "no input configured and stdin is a terminal"
                                                      : "no input configured and nothing on stdin";
  return where + ": counting nothing. Give --input SPEC (" + input_spec_names() +
         ") or pipe lines into asncounterd (e.g. tcpdump -n -q | asncounterd --input-format tcpdump)";
}

}  // namespace asncounter
