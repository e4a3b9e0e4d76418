#include "daemon/sys/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/systemd_sink.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <mutex>
#include <vector>

namespace asncounter::log {
namespace {

struct Sinks {
  std::mutex mutex;
  std::vector<spdlog::sink_ptr> sinks;
  spdlog::level::level_enum level = spdlog::level::info;
};

Sinks& state() {
  static Sinks s;
  return s;
}

bool under_systemd() {
  return std::getenv("JOURNAL_STREAM") != nullptr || std::getenv("INVOCATION_ID") != nullptr;
}

std::vector<spdlog::sink_ptr> default_sinks() {
  if (under_systemd()) return {std::make_shared<spdlog::sinks::systemd_sink_mt>("asncounterd")};
  return {std::make_shared<spdlog::sinks::stderr_sink_mt>()};
}

// LogLevel follows spdlog's order, so the two convert by value.
spdlog::level::level_enum to_spdlog(LogLevel level) {
  static_assert(static_cast<int>(LogLevel::trace) == spdlog::level::trace &&
                static_cast<int>(LogLevel::off) == spdlog::level::off);
  return static_cast<spdlog::level::level_enum>(level);
}

}  // namespace

void setup(LogLevel level) {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  s.sinks = default_sinks();
  s.level = to_spdlog(level);
  spdlog::drop_all();
}

void set_level(LogLevel level) {
  auto& s = state();
  std::lock_guard lock(s.mutex);  // get() reads the level under it
  s.level = to_spdlog(level);
  spdlog::apply_all([&](const std::shared_ptr<spdlog::logger>& l) { l->set_level(s.level); });
}

std::shared_ptr<spdlog::logger> get(const std::string& component) {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  if (auto existing = spdlog::get(component)) return existing;
  if (s.sinks.empty()) s.sinks = default_sinks();
  auto logger = std::make_shared<spdlog::logger>(component, s.sinks.begin(), s.sinks.end());
  logger->set_level(s.level);
  logger->set_pattern(under_systemd() ? "%n: %v" : "%Y-%m-%dT%H:%M:%S.%e %l %n: %v");
  spdlog::register_logger(logger);
  return logger;
}

}  // namespace asncounter::log
