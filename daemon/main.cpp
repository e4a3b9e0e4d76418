// asncounterd: wires the options to the daemon (placeholder until the daemon lands).
#include <cstdio>

#include "common/version.hpp"

int main() {
  std::printf("asncounterd %.*s\n", static_cast<int>(asncounter::version().size()),
              asncounter::version().data());
  return 0;
}
