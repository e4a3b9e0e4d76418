#include <catch2/catch.hpp>

#include <spdlog/spdlog.h>

#include "daemon/sys/log.hpp"

TEST_CASE("log: a level set by a reload reaches loggers made before and after it", "[log]") {
  namespace log = asncounter::log;
  log::setup(asncounter::LogLevel::info);
  auto before = log::get("test-before");
  CHECK(before->level() == spdlog::level::info);
  log::set_level(asncounter::LogLevel::debug);
  CHECK(before->level() == spdlog::level::debug);
  auto after = log::get("test-after");
  CHECK(after->level() == spdlog::level::debug);
  log::set_level(asncounter::LogLevel::off);
  CHECK(log::get("test-later")->level() == spdlog::level::off);
  log::setup(asncounter::LogLevel::info);  // leave the other tests their default
}
