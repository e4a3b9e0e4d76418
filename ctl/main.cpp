// asncounterctl: placeholder until the commands land.
#include <cstdio>

#include "common/version.hpp"

int main() {
  std::printf("asncounterctl %.*s\n", static_cast<int>(asncounter::version().size()),
              asncounter::version().data());
  return 0;
}
