// asncounterd: options -> one-shot mode or the daemon. Exit codes: 0 ok,
// 1 runtime error, 2 usage or config error.
#include <exception>
#include <iostream>

#include "common/version.hpp"
#include "daemon/config_check.hpp"
#include "daemon/daemon.hpp"
#include "daemon/once.hpp"
#include "daemon/options.hpp"

int main(int argc, char** argv) {
  using namespace asncounter;
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
