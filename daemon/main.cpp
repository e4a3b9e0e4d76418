// asncounterd: options -> one-shot mode or the daemon. Exit codes: 0 ok,
// 1 runtime error, 2 usage or config error.
#include <fcntl.h>

#include <cerrno>
#include <exception>
#include <iostream>

#include "common/version.hpp"
#include "daemon/app/daemon.hpp"
#include "daemon/config/command_line.hpp"
#include "daemon/config/config_check.hpp"
#include "daemon/once/once.hpp"

namespace {

// A descriptor 0, 1 or 2 that was closed at exec is opened on /dev/null, so
// that no socket or file the daemon opens takes its number: stdin would be
// read as input (daemon/input/default_input.hpp), stdout and stderr written to.
void keep_stdio_open() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) >= 0 || errno != EBADF) continue;
    // The lowest free number: `fd` itself.
    [[maybe_unused]] int opened = ::open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace asncounter;
  keep_stdio_open();
  auto parsed = parse_command_line(argc, argv);
  if (!parsed) {
    std::cerr << "asncounterd: " << parsed.error() << "\n(try asncounterd --help)\n";
    return 2;
  }
  if (parsed->help) {
    std::cout << usage();
    return 0;
  }
  if (parsed->version) {
    std::cout << "asncounterd " << version() << "\n";
    return 0;
  }
  if (parsed->print_default_config) {
    std::cout << default_config();
    return 0;
  }
  const Options& options = parsed->options;
  if (options.check_config) return run_config_check(options, std::cout, std::cerr);
  try {
    if (options.once) return run_once(options, std::cout, std::cerr);
    return run_daemon(options, argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "asncounterd: " << e.what() << "\n";
    return 1;
  }
}
