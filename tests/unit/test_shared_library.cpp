// SharedLibrary (daemon/sys/shared_library.*): libcurl and libnftables are
// opened when first needed; a library or a symbol that is not there is an
// error naming it, never a crash.
#include <catch2/catch.hpp>

#include <string>

#include "daemon/sys/shared_library.hpp"

TEST_CASE("shared library: a missing library or symbol is an error naming it", "[sys]") {
  auto none = asncounter::SharedLibrary::open("libasncounter-absent.so.9", "a test needs it");
  REQUIRE_FALSE(none);
  CHECK(none.error().find("cannot load libasncounter-absent.so.9 (a test needs it): ") == 0);

  auto libm = asncounter::SharedLibrary::open("libm.so.6", "a test needs it");
  REQUIRE(libm);
  double (*cosine)(double) = nullptr;
  void (*absent)() = nullptr;
  std::string missing;
  CHECK(libm->bind("cos", cosine, missing));
  REQUIRE(cosine != nullptr);
  CHECK(cosine(0.0) == 1.0);
  CHECK_FALSE(libm->bind("asncounter_no_such_symbol", absent, missing));
  CHECK(missing == "asncounter_no_such_symbol");
  CHECK(absent == nullptr);
}
