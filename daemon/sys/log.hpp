#pragma once
// One spdlog logger per component ("capture", "input", "rib", "rpc",
// "store", "daemon"), all writing to the same sinks. Under systemd the sink is
// journald; otherwise stderr.

#include <memory>
#include <string>

#include "daemon/sys/log_level.hpp"

namespace spdlog {
class logger;
}

namespace asncounter::log {

/// Chooses sinks (journald when JOURNAL_STREAM or INVOCATION_ID is set, else
/// stderr) and the level. Call once, early in main.
void setup(LogLevel level);

/// Sets the level of every logger, those made later included (a reload).
void set_level(LogLevel level);

/// The logger of a component, created on first use with the shared sinks.
std::shared_ptr<spdlog::logger> get(const std::string& component);

}  // namespace asncounter::log
