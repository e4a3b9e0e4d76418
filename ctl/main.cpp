// asncounterctl: argv to the command table (ctl/commands.cpp).
#include <iostream>
#include <string>
#include <vector>

#include "ctl/commands.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  int rc = asncounter::ctl::run(args, std::cin, std::cout, std::cerr);
  std::cout.flush();
  return rc;
}
